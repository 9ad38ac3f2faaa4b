import type { Account } from '../core/config/config';
import { ConfigError } from '../core/runtime/errors';
import type { HttpClient } from '../core/runtime/http-client';
import { requestShare, shareProblem } from '../core/redaction/request-share';
import { Semaphore } from '../core/runtime/semaphore';

/**
 * This execution environment's part of each account's request limit: one semaphore per provider
 * account (routes with the same secretId share it), sized floor(maxConcurrentRequests /
 * maxConcurrency), around every HTTP request the adapters make for that account, so a job's
 * second, third or fourth request (CarrierX read-back, media pages and deletes) counts too.
 * A 429 that still happens (the account's own traffic, a sweep) stays `throttled` and is retried
 * with backoff: this keeps a backfill from causing the storm, the retry policy is the backstop.
 */
export class AccountRequestLimits {
  /** By secretId: one provider account. */
  readonly #semaphores = new Map<string, Semaphore>();

  /**
   * @param maxConcurrency redactor invocations that can run at once (the event source's MaximumConcurrency)
   * @throws ConfigError when an account's limit is below maxConcurrency (a share below one request)
   */
  constructor(accounts: Iterable<Account>, maxConcurrency: number) {
    const problems: string[] = [];
    for (const account of accounts) {
      const problem = shareProblem(account.route, account.maxConcurrentRequests, maxConcurrency);
      if (problem !== undefined) {
        problems.push(problem);
        continue;
      }
      // parseAccounts makes the routes of one secretId agree on the limit.
      if (!this.#semaphores.has(account.secretId)) {
        this.#semaphores.set(account.secretId, new Semaphore(requestShare(account.maxConcurrentRequests, maxConcurrency)));
      }
    }
    if (problems.length > 0) throw new ConfigError(`invalid request limits: ${problems.join('; ')}`);
  }

  /** `http`, limited to this environment's share of `account`'s provider: for one job's requests. */
  httpFor(account: Account, http: HttpClient): HttpClient {
    const semaphore = this.#semaphores.get(account.secretId);
    if (semaphore === undefined) throw new ConfigError(`no request limit for route ${account.route}`);
    return limitedHttpClient(http, semaphore);
  }

  /** This environment's share for `account` (requests it may have in flight at once). */
  shareOf(account: Account): number {
    return this.#semaphores.get(account.secretId)?.limit ?? 0;
  }
}

/** `http`, with every request holding one of the semaphore's slots until its answer (or failure). */
export function limitedHttpClient(http: HttpClient, semaphore: Semaphore): HttpClient {
  return { request: (request) => semaphore.run(() => http.request(request)) };
}
