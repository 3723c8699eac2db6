/**
 * Wire protocol numbers, named once. Imported by the device (worker) and the sync server; changing a
 * value here is a protocol change: bump PROTOCOL_VERSION.
 */

/**
 * 2: Push carries grants after its items (any-center intake: a dossier transferred to another
 * commune, rule S12).
 */
/**
 * 3: devices write with one Yjs client id and merge a doc's updates within a batch, which
 * permessage-deflate (context kept across frames) then compresses to about gzip -9 of the same
 * records as JSON (issue 4). Older devices reload into the new app (their outbox is kept).
 */
/**
 * 4: the server names its store's identity (epoch) in an Epoch message right after the Welcome, and
 * answers AskStates with each doc's state (rule S17): after a restore from a backup, devices send
 * back what the restored store lacks and pull again from where the copy and their cursor agree. The
 * Welcome keeps its layout, so an older app still decodes it, sees this number and asks for a reload.
 */
export const PROTOCOL_VERSION = 4;

/**
 * Browsers cannot set headers on a WebSocket upgrade, and the device token must not travel in the URL
 * (URLs end up in logs). So the token rides in Sec-WebSocket-Protocol as `bearer.<token>` next to the
 * real subprotocol, which the server selects. Node clients may use `Authorization: Bearer <token>`.
 */
export const SUBPROTOCOL = 'motcua.v1';
export const TOKEN_PROTOCOL_PREFIX = 'bearer.';

/** HTTP paths of the sync server. */
export const PATHS = {
  /** Batched catch-up channel (our messages below). */
  sync: '/sync',
  /** y-websocket endpoint for live docs: `/yjs/{unit}/{kind}/{id}`. */
  yjs: '/yjs',
  enroll: '/api/enroll',
  health: '/api/health',
  /** The published procedure catalog (CatalogResponse); device token, ETag = version. */
  catalog: '/api/catalog',
} as const;

/** Message type tags of the catch-up channel: the first varuint of every binary frame. */
export const MsgType = {
  /** S→C once after the upgrade: who the server thinks we are, its head, our last confirmed batch. */
  Welcome: 1,
  /** C→S: a batch of pending updates, and the access to other communes that goes with them. */
  Push: 2,
  /** S→C: the batch is durable on the server; here are the sequence numbers it got. */
  PushAck: 3,
  /** C→S: everything in my scope after `since`. */
  Pull: 4,
  /** S→C: one page of the answer, updates merged per doc, with the cursor to resume from. */
  PullBatch: 5,
  /** S→C: new rows exist in your scope (pull when idle). */
  Notify: 6,
  /** S→C: a request failed without closing the connection. */
  Error: 7,
  /** C→S: reserve dossier-number blocks for these days. */
  Reserve: 8,
  /** S→C: the reserved blocks. */
  Reserved: 9,
  /** C→S and S→C: liveness probe; browsers cannot see WebSocket ping frames. */
  Ping: 10,
  Pong: 11,
  /** S→C right after the Welcome: the store's epoch, and where it was restored from (S17). */
  Epoch: 12,
  /** C→S: the server's state (state vector and deletions) of these docs (S17). */
  AskStates: 13,
  /** S→C: the states of the first docs asked for, in their order; null for a doc outside the scope. */
  States: 14,
} as const;
export type MsgType = (typeof MsgType)[keyof typeof MsgType];

/**
 * Close codes. 4000-4999 is the application range of RFC 6455; the last three digits follow HTTP so a
 * log reader guesses them right. A named close ends one connection only: the server keeps serving
 * every other device.
 */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  /** The ws library closes with this when a frame exceeds MAX_MESSAGE_BYTES. */
  MessageTooBig: 1009,
  /** A frame that does not decode as a message of this protocol (or a bad Yjs update). */
  BadFrame: 4400,
  /** No token, an unknown token, or a forged one. */
  Unauthorized: 4401,
  /** The device was revoked by a sync admin: the device stops retrying and tells the officer. */
  Revoked: 4402,
  /** A doc or unit outside the device's scope. */
  Forbidden: 4403,
  /** A doc name that is malformed or names an unknown kind of doc. */
  UnknownDoc: 4404,
  /** The peer stopped answering pings (half-open link). */
  Timeout: 4408,
  /** A doc over LIMITS.maxDocBytes or LIMITS.maxDocUpdates: the device must not add to it (S21). */
  DocTooLarge: 4413,
  /** Number blocks asked for a day outside the coming LIMITS.maxReserveDays (S21). */
  ReserveRange: 4416,
  /** An update carries Yjs items under a client id that is not the device's (S19). */
  ForeignWriter: 4421,
  /** An update writes or deletes in a root only the server writes (the `st` stamps, S19). */
  ServerRoot: 4422,
  /** A grant without the transfer event naming that unit in the same batch (S20). */
  UngrantedTransfer: 4423,
  /** Too many messages in too short a time. */
  RateLimited: 4429,
  /** More bytes from one device in a minute than LIMITS.maxDeviceBytesPerMinute (S21). */
  ByteQuota: 4430,
  /** More open sockets for one device than LIMITS.maxSocketsPerDevice (S21). */
  TooManySockets: 4431,
  /** The server failed to store; the device keeps its data and retries. */
  ServerError: 4500,
  /** The node is serving as many catching-up devices as it can: retry after the hint in the reason (busy.ts). */
  Busy: 4503,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Codes after which retrying cannot help: the device stops and shows the reason. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([CloseCode.Unauthorized, CloseCode.Revoked]);

/**
 * Codes by which the server refuses what a device sent, not the link: a close with one of these while a
 * Push is in flight counts against that batch (S22). Quotas, Busy and server errors are not here: they
 * say "later", not "never".
 */
export const REFUSAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.MessageTooBig,
  CloseCode.BadFrame,
  CloseCode.Forbidden,
  CloseCode.UnknownDoc,
  CloseCode.DocTooLarge,
  CloseCode.ForeignWriter,
  CloseCode.ServerRoot,
  CloseCode.UngrantedTransfer,
]);

/** Error codes carried by MsgType.Error (non-fatal). */
export const ErrorCode = {
  BatchTooLarge: 1,
  StorageFull: 2,
  BadRequest: 3,
  /** C→S: the device set aside batches the server refused (S22); the message is a JSON SetAsideReport. */
  SetAside: 4,
} as const;

/** Size limits, checked on both sides. */
export const LIMITS = {
  /** Whole WebSocket message, after permessage-deflate inflation. */
  maxMessageBytes: 8 * 1024 * 1024,
  /** Updates per pushed batch. */
  maxBatchItems: 1000,
  /** Grants (doc, unit) per pushed batch. */
  maxBatchGrants: 1000,
  /** One Yjs update. A dossier's fields are small; scans travel another way. */
  maxUpdateBytes: 1024 * 1024,
  maxDocNameLength: 128,
  /** A projection row sent with a pulled dossier (JSON). */
  maxRowChars: 16 * 1024,
  maxBatchIdLength: 64,
  /** Rows per pull page, the server may send fewer. */
  maxPullRows: 2000,
  /** Days and size of dossier-number block reservations. */
  maxReserveDays: 31,
  maxBlockSize: 1000,
  /** Docs per AskStates, and states per answer (S17); the server may answer fewer, in order. */
  maxStateDocs: 1000,
  /** One doc's encoded state (a Yjs snapshot: state vector and delete set). */
  maxStateBytes: 64 * 1024,
  /** A store epoch (random, base64url). */
  maxEpochLength: 64,
  /** Messages per second per connection before RateLimited. */
  maxMessagesPerSecond: 200,
  /**
   * Open sockets of one device across /sync and /yjs (S21): one catch-up socket and a few live docs
   * per tab, with room for the half-open sockets of a link that just dropped (cut within a minute).
   */
  maxSocketsPerDevice: 16,
  /**
   * Bytes one device may send in a minute across its sockets (S21), after inflation. One device
   * pushing intakes as fast as a 2-core server stores them sends about 66 MB a minute (10,000 in
   * 5.2 s), a ward's year sent back after a restore (S17) about 300 MB: twice that rate lets it
   * through unhindered, and a device over it retries after its backoff.
   */
  maxDeviceBytesPerMinute: 128 * 1024 * 1024,
  /** Stored bytes of one doc (S21): a dossier is a few KB, a busy queue day a few hundred KB. */
  maxDocBytes: 4 * 1024 * 1024,
  /** Stored rows of one doc (S21): a dossier has tens; the compactor lowers the count. */
  maxDocUpdates: 10_000,
} as const;

/** Ping every this often; a peer silent for pingTimeoutMs is dead (half-open link). */
export const HEARTBEAT = { pingIntervalMs: 15_000, pingTimeoutMs: 45_000 } as const;
