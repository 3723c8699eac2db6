/**
 * Rows of the devices, enrollments and officers tables as the SQL stores read them (snake_case; the
 * PostgreSQL store's BIGINTs come back as numbers too), and their domain shapes.
 */
import type { Device, DeviceRole, Enrollment, Officer, OfficerRole } from './types.ts';

export interface DeviceRow {
  id: string;
  unit: string;
  ordinal: number;
  label: string;
  role: DeviceRole;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
}
export interface EnrollmentRow {
  code_hash: string;
  unit: string;
  role: DeviceRole;
  uses_left: number;
  expires_at: number | null;
  created_at: number;
}
export interface OfficerRow {
  id: string;
  unit: string;
  username: string;
  display_name: string;
  role: OfficerRole;
  salt: string;
  hash: string;
  iterations: number;
  disabled_at: number | null;
}

export const toDevice = (r: DeviceRow): Device => ({
  id: r.id,
  unit: r.unit,
  ordinal: r.ordinal,
  label: r.label,
  role: r.role,
  tokenHash: r.token_hash,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export const toEnrollment = (r: EnrollmentRow): Enrollment => ({
  codeHash: r.code_hash,
  unit: r.unit,
  role: r.role,
  usesLeft: r.uses_left,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
});

export const toOfficer = (r: OfficerRow): Officer => ({
  id: r.id,
  unit: r.unit,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  salt: r.salt,
  hash: r.hash,
  iterations: r.iterations,
  disabledAt: r.disabled_at,
});
