/**
 * Group commit of a live socket's updates. A live edit is stored before anyone sees it; when the store
 * is slow to take a transaction (a reconnect storm queues every node's appends on the log's head),
 * storing one update after another would let a busy counter's calls pile up behind each other, each
 * waiting a whole append. So the updates that arrive while one append is in flight go together in the
 * next one: a call waits at most about two appends, however many came meanwhile.
 */

/** Updates per append: a batch of the catch-up channel's size at most. */
const MAX_GROUP = 200;

export class LiveWriter {
  private pending: Uint8Array[] = [];
  private running: Promise<void> | null = null;

  constructor(
    /** Stores a group durably, then applies and broadcasts it; throws to end the socket. */
    private readonly store: (group: readonly Uint8Array[]) => Promise<void>,
    private readonly fail: (err: unknown) => void,
  ) {}

  add(update: Uint8Array): void {
    this.pending.push(update);
    this.running ??= this.drain();
  }

  /** Resolves when everything added so far is stored (or the writer failed). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) await this.store(this.pending.splice(0, MAX_GROUP));
    } catch (err) {
      this.pending = [];
      this.fail(err);
    } finally {
      this.running = null;
    }
  }
}
