/**
 * Enrollment while the city is still online, as an admin and the officers do it: one code per
 * commune from the admin API, redeemed by each of its devices at POST /api/enroll. With two nodes a
 * commune's devices are spread over both (no sticky routing), so its Notify must cross nodes. The
 * deviceId each gets is what its backlog is then written as (S19, backlog.ts).
 */
import type { DeviceSlot } from './backlog.ts';
import { DEVICES_PER_UNIT } from './config.ts';
import type { Commune } from './dossiers.ts';
import type { ServerNode } from './node.ts';
import { pool } from './stats.ts';

/** A load device as enrolled, with its token and the node it will come back to. */
export interface EnrolledDevice extends DeviceSlot {
  readonly token: string;
  readonly node: ServerNode;
}

/** A device of the live probe: it writes live docs under its own live ids (S19, liveWriterIdOf). */
export interface ProbeDevice {
  readonly deviceId: string;
  readonly token: string;
}

export interface Enrolled {
  readonly devices: EnrolledDevice[];
  /** Two more devices of the probe's commune: the counter calling tickets and the hall's display. */
  readonly probe: { readonly unit: string; readonly writer: ProbeDevice; readonly reader: ProbeDevice };
}

/** Extra devices enrolled beside the load's: the live probe's two. */
export const PROBE_DEVICES = 2;

const nodeOf = (nodes: readonly ServerNode[], communeIndex: number, device: number): ServerNode =>
  nodes[(communeIndex + device) % nodes.length] as ServerNode;

export async function enroll(communes: readonly Commune[], nodes: readonly ServerNode[]): Promise<Enrolled> {
  const admin = nodes[0] as ServerNode;
  const probeUnit = communes[0]?.code ?? '';
  let probe: Enrolled['probe'] | null = null;
  const perCommune = await pool(communes, 8, async (c, ci) => {
    const extra = c.code === probeUnit ? PROBE_DEVICES : 0;
    const code = await admin.createEnrollment(c.code, DEVICES_PER_UNIT + extra);
    const out: EnrolledDevice[] = [];
    for (let index = 0; index < DEVICES_PER_UNIT; index++) {
      const node = nodeOf(nodes, ci, index);
      const { deviceId, token } = await node.enroll(code, `Máy ${index + 1}`);
      out.push({ unit: c.code, index, deviceId, token, node });
    }
    if (extra > 0) {
      const writer = await admin.enroll(code, 'Quầy gọi số');
      const reader = await admin.enroll(code, 'Màn hình sảnh');
      probe = { unit: c.code, writer: { deviceId: writer.deviceId, token: writer.token }, reader: { deviceId: reader.deviceId, token: reader.token } };
    }
    return out;
  });
  if (probe === null) throw new Error('probe devices not enrolled');
  return { devices: perCommune.flat(), probe };
}
