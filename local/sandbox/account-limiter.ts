/** What one provider account's API saw: the figures a benchmark needs for throttledShare and C/L. */
export interface AccountUsage {
  /** Authenticated API requests (throttled ones included). */
  readonly requests: number;
  /** Requests answered 429 (over the concurrency cap, or an injected throttle). */
  readonly throttled: number;
  /** Most requests in flight at once. */
  readonly peakInFlight: number;
  readonly inFlight: number;
}

interface Counters {
  requests: number;
  throttled: number;
  peakInFlight: number;
  inFlight: number;
}

/**
 * A per-account cap on concurrent API requests, as Twilio enforces one (error 20429, "too many
 * concurrent requests"), and the counters behind it. A request holds its slot until its answer is
 * sent (configured latency included) or its connection closes.
 */
export class AccountLimiter {
  /** Concurrent requests one account may have in flight; Infinity = no cap. */
  cap: number;
  readonly #accounts = new Map<string, Counters>();

  constructor(cap = Number.POSITIVE_INFINITY) {
    this.cap = cap;
  }

  /** Counts a request; false (and no slot taken) when the account is at its cap. */
  enter(account: string): boolean {
    const c = this.#counters(account);
    c.requests++;
    if (c.inFlight >= this.cap) return false;
    c.inFlight++;
    c.peakInFlight = Math.max(c.peakInFlight, c.inFlight);
    return true;
  }

  leave(account: string): void {
    const c = this.#counters(account);
    c.inFlight = Math.max(0, c.inFlight - 1);
  }

  /** Counts a request that bypassed the cap (a scripted answer). */
  count(account: string): void {
    this.#counters(account).requests++;
  }

  /** Records the status an account's request was answered with. */
  answered(account: string, status: number): void {
    if (status === 429) this.#counters(account).throttled++;
  }

  usage(account: string): AccountUsage {
    return { ...this.#counters(account) };
  }

  /** Every account that sent a request, by account id. */
  all(): ReadonlyMap<string, AccountUsage> {
    return new Map([...this.#accounts].map(([account, c]) => [account, { ...c }]));
  }

  /** Zeroes the counters (the in-flight count is live state and stays). */
  reset(): void {
    for (const c of this.#accounts.values()) Object.assign(c, { requests: 0, throttled: 0, peakInFlight: c.inFlight });
  }

  #counters(account: string): Counters {
    let c = this.#accounts.get(account);
    if (c === undefined) {
      c = { requests: 0, throttled: 0, peakInFlight: 0, inFlight: 0 };
      this.#accounts.set(account, c);
    }
    return c;
  }
}
