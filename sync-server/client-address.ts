/**
 * Who a request comes from, for the per-client limits on wrong enrollment codes and wrong admin
 * tokens. Behind a reverse proxy every request comes from the proxy's address, so one commune
 * mistyping a code would lock out every other: with TRUSTED_PROXY_HEADER set (e.g. x-forwarded-for)
 * the client is the right-most address in that header that is not the proxy's own. The right-most,
 * because the proxy appends the address it saw and a client can only forge entries to the left of it.
 * Set it only when every request reaches the server through that proxy: a client talking to the server
 * directly could otherwise choose its own key.
 */
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { TokenBucket } from './conn.ts';

/** The proxy header from the environment, lower case (Node's header keys), or null when unset. */
export function trustedProxyHeader(env: NodeJS.ProcessEnv = process.env): string | null {
  const raw = (env.TRUSTED_PROXY_HEADER ?? '').trim().toLowerCase();
  return raw === '' ? null : raw;
}

/** An IPv4-mapped IPv6 address as its IPv4 form, so `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export function clientAddress(req: IncomingMessage, header: string | null): string {
  const socket = plain(req.socket.remoteAddress ?? '');
  if (header === null) return socket;
  const value = req.headers[header];
  // Repeated headers: Node joins most with ', ' but gives some as an array; both read left to right.
  const list = (Array.isArray(value) ? value.join(',') : (value ?? ''))
    .split(',')
    .map((a) => plain(a.trim()))
    .filter((a) => isIP(a) !== 0);
  for (let i = list.length - 1; i >= 0; i--) {
    const a = list[i] as string;
    if (a !== socket) return a;
  }
  return socket;
}

const MAX_TRACKED_CLIENTS = 10_000;

/** Failures allowed per client: a burst, then a steady rate; the table is bounded (cleared when full). */
export class FailureLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {}

  /** The client's bucket: `has()` says whether it may try again, `take()` counts a failure. */
  bucket(client: string): TokenBucket {
    let bucket = this.buckets.get(client);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_TRACKED_CLIENTS) this.buckets.clear();
      bucket = new TokenBucket(this.burst, this.perSecond);
      this.buckets.set(client, bucket);
    }
    return bucket;
  }
}
