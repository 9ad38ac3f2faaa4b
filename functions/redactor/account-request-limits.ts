import type { Account } from '../core/config/config';
import { ConfigError } from '../core/runtime/errors';
import type { HttpClient } from '../core/runtime/http-client';
import { requestShare, shareProblem } from '../core/redaction/request-share';
import { Semaphore } from '../core/runtime/semaphore';
import { requestLimitKeys } from '../core/redaction/request-limit-keys';

/**
 * This execution environment's part of each provider account's request limit: one semaphore per
 * provider account (keyed by {@link requestLimitKeys}: the Twilio Account SID, the SignalWire project,
 * shared by every route and secret that reaches it), sized floor(maxConcurrentRequests /
 * maxConcurrency), around every HTTP request the adapters make for that account, so a job's second,
 * third or fourth request (CarrierX read-back, media pages and deletes) counts too. A Twilio
 * subaccount's request also holds a slot of its parent's limit. A 429 that still happens (the
 * account's own traffic, a sweep) stays `throttled` and is retried with backoff: this keeps a backfill
 * from causing the storm, the retry policy is the backstop.
 */
export class AccountRequestLimits {
  readonly #maxConcurrency: number;
  /** By provider account, created when a route first reaches it (keys come from the secrets). */
  readonly #semaphores = new Map<string, Semaphore>();

  /**
   * @param maxConcurrency redactor invocations that can run at once (the event source's MaximumConcurrency)
   * @throws ConfigError when an account's limit is below maxConcurrency (a share below one request)
   */
  constructor(accounts: Iterable<Account>, maxConcurrency: number) {
    this.#maxConcurrency = maxConcurrency;
    const problems = new Set<string>();
    for (const account of accounts) {
      const problem = shareProblem(account.route, account.maxConcurrentRequests, maxConcurrency);
      if (problem !== undefined) problems.add(problem);
    }
    if (problems.size > 0) throw new ConfigError(`invalid request limits: ${[...problems].join('; ')}`);
  }

  /**
   * `http`, limited to this environment's share of every provider account `account`'s requests count
   * against (read from its API secret `secret`): for one job's requests.
   */
  httpFor(account: Account, http: HttpClient, secret: unknown): HttpClient {
    const semaphores = requestLimitKeys(account, secret).map((key) => this.#semaphoreFor(key, account.maxConcurrentRequests));
    return semaphores.reduceRight<HttpClient>((inner, semaphore) => limitedHttpClient(inner, semaphore), http);
  }

  /** This environment's share of the provider accounts `account` reaches with `secret` (the smallest). */
  shareOf(account: Account, secret: unknown): number {
    return Math.min(...requestLimitKeys(account, secret).map((key) => this.#semaphores.get(key)?.limit ?? 0));
  }

  /**
   * The provider account's semaphore. Routes that reach one account through different secrets or
   * parent entries may ask for different limits: the smallest one asked for wins (requests already
   * holding a slot of a larger share finish on it).
   */
  #semaphoreFor(key: string, accountLimit: number): Semaphore {
    const share = requestShare(accountLimit, this.#maxConcurrency);
    const known = this.#semaphores.get(key);
    if (known !== undefined && known.limit <= share) return known;
    const semaphore = new Semaphore(share);
    this.#semaphores.set(key, semaphore);
    return semaphore;
  }
}

/** `http`, with every request holding one of the semaphore's slots until its answer (or failure). */
export function limitedHttpClient(http: HttpClient, semaphore: Semaphore): HttpClient {
  return { request: (request) => semaphore.run(() => http.request(request)) };
}
