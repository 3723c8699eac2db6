/** JSON bodies of the sync server's HTTP API (enrollment, catalog), shared by the device and the server. */

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
  /** A disabled account (S23): listed for its name, with an empty hash; no device signs it in. */
  readonly disabled?: boolean;
}

/**
 * GET /api/officers with `Authorization: Bearer <device token>` (401 without a valid one): the
 * device's unit's officers. The answer carries `ETag: "<tag>"`; sent back as If-None-Match it gets
 * 304 while no officer of the unit changed (S23).
 */
export const OFFICERS_PATH = '/api/officers';

export interface OfficersResponse {
  /** Moves up by one with every change to any officer of the unit. */
  readonly version: number;
  readonly officers: readonly OfficerCredential[];
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

/**
 * GET /api/catalog with `Authorization: Bearer <device token>` (401 without a valid one). The answer
 * carries `ETag: "<version>"`; send it back as If-None-Match to get 304 while the catalog is unchanged.
 * 404 while the data center has published none.
 */
export interface CatalogResponse {
  /** catalogVersion(parseCatalog(procedures).procedures), src/domain/catalog-import.ts. */
  readonly version: string;
  /** An array in the format of public/data/procedures.json: read it with parseCatalog. */
  readonly procedures: unknown[];
}

/** POST /api/admin/catalog (admin token), body `application/json` or `text/csv`. */
export interface CatalogPublished {
  readonly version: string;
  readonly count: number;
  readonly errors: readonly string[];
}

/** 400 answer of POST /api/admin/catalog: nothing was published. */
export interface CatalogRejected extends ApiError {
  readonly errors: readonly string[];
}
