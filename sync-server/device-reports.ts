/**
 * What devices tell the server over MsgType.Error (C→S). The one report with a meaning is the changes
 * a device set aside after the server refused them (S22, ErrorCode.SetAside): logged as
 * `device_set_aside`, and the last one per device kept in the store's settings for the sync admins
 * (GET /api/admin/devices/reports). It comes from a device, so it is parsed defensively, and nothing
 * in it ever closes the link: a report that does not parse, or a store that fails to keep it, is logged.
 */
import { ErrorCode } from '../src/protocol/constants.ts';
import { parseSetAsideReport, type SetAsideReport } from '../src/protocol/set-aside.ts';
import { logEvent, type LogFn } from './conn.ts';
import type { Device, SyncStore } from './store/types.ts';
import { storeErrorEvent } from './disk-full.ts';

const KEY_PREFIX = 'device_report:';

/** A device's last report as the admins read it. */
export interface DeviceReport {
  device: string;
  unit: string;
  label: string;
  receivedAt: number;
  report: SetAsideReport;
}

interface Deps {
  readonly store: SyncStore;
  readonly log: LogFn;
}

/** Handles one MsgType.Error from a device; never throws. */
export async function noteDeviceError(deps: Deps, device: Device, code: number, message: string): Promise<void> {
  if (code !== ErrorCode.SetAside) {
    logEvent(deps.log, 'device_error', { device: device.id, code });
    return;
  }
  const report = parseSetAsideReport(message);
  if (report === null) {
    logEvent(deps.log, 'device_report_bad', { device: device.id, chars: message.length });
    return;
  }
  logEvent(deps.log, 'device_set_aside', {
    device: device.id,
    unit: device.unit,
    rows: report.rows,
    docs: report.docCount,
    codes: report.codes.join(','),
    oldestAt: report.oldestAt,
  });
  const kept: DeviceReport = { device: device.id, unit: device.unit, label: device.label, receivedAt: Date.now(), report };
  try {
    await deps.store.setSetting(KEY_PREFIX + device.id, JSON.stringify(kept));
  } catch (e) {
    logEvent(deps.log, storeErrorEvent(e, 'device_report_error'), { device: device.id, error: e instanceof Error ? e.message : String(e) });
  }
}

/** The last report of every device that sent one (of `unit`'s devices when given), newest first. */
export async function listDeviceReports(store: SyncStore, unit?: string): Promise<DeviceReport[]> {
  const devices = await store.listDevices(unit);
  const values = await Promise.all(devices.map((d) => store.getSetting(KEY_PREFIX + d.id)));
  const reports = values.flatMap((v) => (v === null ? [] : [JSON.parse(v) as DeviceReport]));
  return reports.sort((a, b) => b.receivedAt - a.receivedAt);
}
