/** JSON bodies of the sync server's HTTP API (enrollment), shared by the device and the server. */

export interface EnrollRequest {
  readonly code: string;
  readonly label: string;
}

export interface OfficerCredential {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: 'counter' | 'processing' | 'leader';
  /** PBKDF2-SHA256, base64; the password itself never leaves the server that set it. */
  readonly salt: string;
  readonly hash: string;
  readonly iterations: number;
}

export interface EnrollResponse {
  readonly deviceId: string;
  readonly token: string;
  readonly unit: string;
  readonly unitName: string;
  /** 0-9, unique among the unit's devices: it keys the fallback number range (see docs/dossier-codes.md). */
  readonly ordinal: number;
  readonly officers: readonly OfficerCredential[];
}

export interface ApiError {
  readonly error: string;
  readonly message: string;
}
