/** [S8] A row the server projected is taken only for its own doc and only when every field is well-typed. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCalendar } from '../../src/domain/calendar.ts';
import { dossierDocName } from '../../src/protocol/doc-names.ts';
import { newDossierUpdate, docFromUpdates } from '../../src/worker/dossier-doc.ts';
import { parseServerRow, Projector } from '../../src/worker/projector.ts';
import { EXTRA_FIELDS } from './support/fields.ts';

const NOW = Date.UTC(2026, 10, 23, 3, 0, 0);
const DOC = dossierDocName('20209', '6f1c2a4e-8d3b-4c5a-9e7f-0123456789ab');
const projector = new Projector(buildCalendar(JSON.parse(readFileSync(new URL('../../public/data/holidays.json', import.meta.url), 'utf8'))));

function row(): Record<string, unknown> {
  const update = newDossierUpdate(
    { code: '20209-261123-0001', unit: '20209', procedureCode: 'dang-ky-khai-sinh', procedureName: 'Đăng ký khai sinh', name: 'Đỗ Thị Hà', cccd: '048195000123', phone: '0905123456', address: 'Thanh Khê', receivedAt: NOW, components: '[]', ...EXTRA_FIELDS },
    { id: 'e1', type: 'received', at: NOW, officer: 'o1', device: 'd1' },
  );
  const doc = docFromUpdates([update]);
  const r = projector.project(DOC, doc, NOW);
  doc.destroy();
  return { ...r };
}

describe('[S8] rows served with pulls', () => {
  it('takes a well-formed row of its doc as the device itself would project it, with its own time', () => {
    const served = row();
    const got = parseServerRow(JSON.stringify(served), DOC, NOW + 5);
    expect(got).toEqual({ ...served, updatedAt: NOW + 5 });
    expect(got?.nameWords).toEqual(['do', 'thi', 'ha']);
  });

  it('refuses a row of another doc, of another unit, with a wrong type, or not JSON', () => {
    const served = row();
    const other = dossierDocName('20209', '00000000-8d3b-4c5a-9e7f-0123456789ab');
    expect(parseServerRow(JSON.stringify(served), other, NOW)).toBeNull();
    expect(parseServerRow(JSON.stringify({ ...served, unit: '20194' }), DOC, NOW)).toBeNull();
    expect(parseServerRow(JSON.stringify({ ...served, dueAt: '1795737600000' }), DOC, NOW)).toBeNull();
    expect(parseServerRow(JSON.stringify({ ...served, nameWords: 'do thi ha' }), DOC, NOW)).toBeNull();
    expect(parseServerRow(JSON.stringify({ ...served, status: undefined }), DOC, NOW)).toBeNull();
    expect(parseServerRow('{"id":', DOC, NOW)).toBeNull();
    expect(parseServerRow(JSON.stringify(served), '20209/queue/2026-11-23', NOW)).toBeNull();
  });
});
