/**
 * Enrollment while the city is still online, as an admin and the officers do it: one code per
 * commune from the admin API, redeemed by each of its devices at POST /api/enroll. With two nodes a
 * commune's devices are spread over both (no sticky routing), so its Notify must cross nodes.
 */
import type { Backlog } from './backlog.ts';
import { DEVICES_PER_UNIT } from './config.ts';
import { BenchDevice } from './device.ts';
import type { ServerNode } from './node.ts';
import { pool } from './stats.ts';
import type { Expected } from './verify.ts';

export interface Enrolled {
  readonly devices: BenchDevice[];
  /** Two more devices of the probe's commune: the counter calling tickets and the hall's display. */
  readonly probe: { readonly unit: string; readonly writer: string; readonly reader: string };
}

/** Extra devices enrolled beside the load's: the live probe's two. */
export const PROBE_DEVICES = 2;

const nodeOf = (nodes: readonly ServerNode[], communeIndex: number, device: number): ServerNode =>
  nodes[(communeIndex + device) % nodes.length] as ServerNode;

export async function enroll(backlog: Backlog, expected: Expected, nodes: readonly ServerNode[]): Promise<Enrolled> {
  const admin = nodes[0] as ServerNode;
  const probeUnit = backlog.communes[0]?.code ?? '';
  let probe: Enrolled['probe'] | null = null;
  const perCommune = await pool(backlog.communes, 8, async (c, ci) => {
    const extra = c.code === probeUnit ? PROBE_DEVICES : 0;
    const code = await admin.createEnrollment(c.code, DEVICES_PER_UNIT + extra);
    const out: BenchDevice[] = [];
    for (let index = 0; index < DEVICES_PER_UNIT; index++) {
      const day = backlog.devices.find((d) => d.unit === c.code && d.index === index);
      if (day === undefined) throw new Error(`no backlog for ${c.code}/${index}`);
      const node = nodeOf(nodes, ci, index);
      const e = await node.enroll(code, `Máy ${index + 1}`);
      out.push(new BenchDevice(day, e.deviceId, e.token, node.wsUrl, expected.scope.get(c.code)?.size ?? 0));
    }
    if (extra > 0) {
      const writer = (await admin.enroll(code, 'Quầy gọi số')).token;
      const reader = (await admin.enroll(code, 'Màn hình sảnh')).token;
      probe = { unit: c.code, writer, reader };
    }
    return out;
  });
  if (probe === null) throw new Error('probe devices not enrolled');
  return { devices: perCommune.flat(), probe };
}
