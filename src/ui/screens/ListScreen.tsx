/** The dossiers on this device: search by name (diacritics ignored), CCCD, phone or code. */
import { useState } from 'preact/hooks';
import { statusLabel, type DossierStatus } from '../../domain/dossier.ts';
import { formatVnDateTime } from '../../domain/time.ts';
import { readDb, useLive } from '../live.ts';
import { searchDossiers } from '../search.ts';

export function ListScreen() {
  const [query, setQuery] = useState('');
  const total = useLive(() => readDb().dossiers.count(), [], 0);
  const rows = useLive(() => searchDossiers(readDb(), query), [query], []);

  return (
    <main class="card">
      <h1>Danh sách hồ sơ</h1>
      <label>
        Tìm theo tên, số CCCD, số điện thoại hoặc mã hồ sơ
        <input data-testid="list-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} autoFocus />
      </label>
      <p>
        Tổng số hồ sơ trên máy: <strong data-testid="list-count">{total}</strong>
      </p>
      <table data-testid="dossier-list">
        <thead>
          <tr>
            <th scope="col">Mã hồ sơ</th>
            <th scope="col">Người nộp</th>
            <th scope="col">Thủ tục</th>
            <th scope="col">Tiếp nhận</th>
            <th scope="col">Trạng thái</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid="dossier-row" data-code={r.code} data-id={r.id}>
              <td>{r.code}</td>
              <td>{r.applicantName}</td>
              <td>{r.procedureName}</td>
              <td>{formatVnDateTime(r.receivedAt)}</td>
              <td>
                {statusLabel(r.status as DossierStatus)}
                {r.conflict > 0 && <span class="badge warn"> Xung đột</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p class="muted">Không có hồ sơ phù hợp.</p>}
    </main>
  );
}
