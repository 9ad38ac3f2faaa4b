/**
 * A counting semaphore with FIFO waiters: at most `limit` holders at once, and the longest waiter is
 * served first (no waiter starves behind later arrivals).
 */
export class Semaphore {
  readonly #waiters: Array<() => void> = [];
  #held = 0;

  /** @param limit holders allowed at once: a whole number of at least 1 */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be a whole number of at least 1 (got ${limit})`);
  }

  /** Holders right now. */
  get held(): number {
    return this.#held;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Runs `task` once a slot is free, and frees the slot when it settles (resolved or thrown). */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (this.#held < this.limit) {
      this.#held++;
      return Promise.resolve();
    }
    // The slot is handed over by #release: the count stays, so no later caller can take it first.
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#held--;
    else next();
  }
}
