import type { Account } from '../core/config/config';
import { RedactorError } from '../core/runtime/errors';
import { Semaphore } from '../core/runtime/semaphore';


/** A subaccount's signing secret, in the shape the Twilio verifier binds: its SID and auth token. */
export interface SubaccountSigningSecret {
  readonly accountSid: string;
  readonly authToken: string;
}

export interface SubaccountSigningSecretsOptions {
  /** Fetches the subaccount's auth token with the parent's credentials (its API secret, parsed). */
  readonly fetchToken: (account: Account & { subaccountSid: string }, parentSecret: unknown) => Promise<string>;
  /** How long a token is served from memory; a rotation is caught sooner by {@link refreshAfterMismatch}. */
  readonly maxAgeMs: number;
  /** A token younger than this is not fetched again after a mismatch: forged callbacks cannot make us call Twilio more often. */
  readonly minRefreshIntervalMs: number;
  /** Token fetches in flight at once in this environment, so a burst stays far below the parent's API limit. */
  readonly maxFetchesInFlight: number;
  readonly now?: () => number;
}

interface Entry {
  readonly fetchedAt: number;
  readonly value: Promise<SubaccountSigningSecret>;
  /** Set once the fetch failed: the failure is served until then, so callbacks cannot make us call Twilio more often. */
  readonly failedUntil?: number;
}

/**
 * The auth tokens that verify Twilio subaccounts' callbacks, fetched with the parent's credentials and
 * cached per execution environment like a secret: concurrent gets share one fetch, a failed fetch is
 * refused (401/403, an unknown SID, a wrong owner) is remembered for `minRefreshIntervalMs`, so
 * however many callbacks arrive, forged or not, Twilio is asked at most once per interval; a transient
 * failure (5xx, 429, a timeout) is not remembered, so the provider's retry of the callback can succeed
 * at once (fetches stay bounded by `maxFetchesInFlight`). Fail closed either way. While cached
 * the same object is returned (so a bound verifier is memoised by identity). A signature that does not
 * match may mean the subaccount's token was rotated: {@link refreshAfterMismatch} drops the token once,
 * unless it is younger than `minRefreshIntervalMs`.
 */
export class SubaccountSigningSecrets {
  readonly #options: SubaccountSigningSecretsOptions;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #fetches: Semaphore;

  constructor(options: SubaccountSigningSecretsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#fetches = new Semaphore(options.maxFetchesInFlight);
  }

  /** The subaccount's signing secret. @throws what `fetchToken` throws (SubaccountTokenError) */
  get(account: Account & { subaccountSid: string }, parentSecret: unknown): Promise<SubaccountSigningSecret> {
    const key = keyOf(account);
    const now = this.#now();
    const cached = this.#entries.get(key);
    if (cached !== undefined && (cached.failedUntil ?? cached.fetchedAt + this.#options.maxAgeMs) > now) return cached.value;
    const value = this.#fetches.run(() => this.#options.fetchToken(account, parentSecret))
      .then((authToken) => ({ accountSid: account.subaccountSid, authToken }));
    this.#entries.set(key, { fetchedAt: now, value });
    value.catch((error: unknown) => {
      if (this.#entries.get(key)?.value !== value) return;
      if (error instanceof RedactorError && error.retryable) this.#entries.delete(key);
      else this.#entries.set(key, { fetchedAt: now, value, failedUntil: this.#now() + this.#options.minRefreshIntervalMs });
    });
    return value;
  }

  /**
   * After a signature mismatch: drops the cached token so the next get fetches it again, unless it was
   * fetched less than `minRefreshIntervalMs` ago. Returns whether it did (whether verifying again can help).
   */
  /** Forgets the subaccount's token or failure: the next get fetches again (after the parent's secret was read again). */
  forget(account: Account & { subaccountSid: string }): void {
    this.#entries.delete(keyOf(account));
  }

  refreshAfterMismatch(account: Account & { subaccountSid: string }): boolean {
    const key = keyOf(account);
    const cached = this.#entries.get(key);
    if (cached !== undefined && this.#now() - cached.fetchedAt < this.#options.minRefreshIntervalMs) return false;
    this.#entries.delete(key);
    return true;
  }
}

function keyOf(account: Account & { subaccountSid: string }): string {
  return `${account.secretId}\u0000${account.subaccountSid.toUpperCase()}`;
}
