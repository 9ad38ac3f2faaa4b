import { Annotations, Duration, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { LAMBDA_LIMITS } from '../functions/core/config/aws-limits';
import type { Account } from '../functions/core/config/config';
import { entryPathOf } from './account-secrets';
import { maxRequestsPerAttempt } from '../functions/core/provider-rules/provider-capabilities';
import { requestShare } from '../functions/core/redaction/request-share';

/** What bounds how long one batch of redaction jobs can take. */
export interface BatchShape {
  readonly batchSize: number;
  readonly providerConcurrency: number;
  /** Each invocation holds floor(maxConcurrentRequests / maxConcurrency) of an account's requests. */
  readonly maxConcurrency: number;
  readonly httpTimeout: Duration;
}

/** The longest a batch can take: every job at its account's most requests per attempt, each at `httpTimeout`. */
export interface WorstCaseBatch {
  readonly milliseconds: number;
  readonly requestsPerJob: number;
  /** The account with the most requests per job (its index in the accounts). */
  readonly accountIndex: number;
}

/**
 * The worst case of a batch of one account's jobs: its requests per job at `httpTimeout` each, as many
 * jobs at a time as the invocation may have requests in flight for the account (`providerConcurrency`,
 * or less when its share of the account's limit is smaller). Undefined while a setting is only known
 * at deploy time (a token).
 */
export function worstCaseBatch(accounts: readonly Account[], shape: BatchShape): WorstCaseBatch | undefined {
  if (accounts.length === 0 || [shape.batchSize, shape.providerConcurrency, shape.maxConcurrency].some((n) => Token.isUnresolved(n)) || shape.httpTimeout.isUnresolved()) return undefined;
  let worst: WorstCaseBatch | undefined;
  accounts.forEach((account, accountIndex) => {
    const requestsPerJob = maxRequestsPerAttempt(account.provider, account.deleteMedia);
    const slots = Math.max(1, Math.min(shape.providerConcurrency, requestShare(account.maxConcurrentRequests, shape.maxConcurrency)));
    const milliseconds = Math.ceil(shape.batchSize / slots) * requestsPerJob * shape.httpTimeout.toMilliseconds();
    if (worst === undefined || milliseconds > worst.milliseconds) worst = { milliseconds, requestsPerJob, accountIndex };
  });
  return worst;
}

/** The default's floor: what a batch of one-request jobs needs, with room for a cold start. */
const MIN_DEFAULT_SECONDS = 30;

/**
 * Seconds past the worst case: the redactor starts no request later than its deadline less
 * `httpTimeout` and 2 s, so a batch that takes the worst case finishes with 2 s to spare, plus a cold start.
 */
const MARGIN_SECONDS = 5;

/**
 * The default `redactorTimeout`: long enough for the worst-case batch of these accounts (so no job is
 * cut off at the deadline and spends a receive for nothing), at least 30 s, at most Lambda's 15 min.
 * Billing is by the time used, not the timeout, so the longer default costs nothing.
 */
export function defaultRedactorTimeout(accounts: readonly Account[], shape: BatchShape): Duration {
  const worst = worstCaseBatch(accounts, shape);
  const seconds = worst === undefined ? MIN_DEFAULT_SECONDS : Math.ceil(worst.milliseconds / 1000) + MARGIN_SECONDS;
  return Duration.seconds(Math.min(LAMBDA_LIMITS.maxTimeoutSeconds, Math.max(MIN_DEFAULT_SECONDS, seconds)));
}

/**
 * Records still waiting for a provider request at the invocation's deadline are retried, each
 * spending a receive, so warn when a batch can need the whole timeout: the worst account's requests
 * per job (provider-capabilities.ts) at `httpTimeout` each, `providerConcurrency` jobs at a time.
 */
export function warnIfBatchOutlastsTimeout(scope: IConstruct, accounts: readonly Account[], shape: BatchShape & { readonly redactorTimeout: Duration }): void {
  const worst = worstCaseBatch(accounts, shape);
  if (worst === undefined || shape.redactorTimeout.isUnresolved() || worst.milliseconds < shape.redactorTimeout.toMilliseconds()) return;
  Annotations.of(scope).addWarningV2(
    'message-redactor:redactorTimeoutBudget',
    `A batch of ${shape.batchSize} jobs at providerConcurrency ${shape.providerConcurrency} (or the account's share of its request limit), up to ${worst.requestsPerJob} `
    + `provider request(s) per job (${entryPathOf(accounts[worst.accountIndex]!, worst.accountIndex)}, ${accounts[worst.accountIndex]!.provider}) and httpTimeout `
    + `${shape.httpTimeout.toHumanString()} can take ${worst.milliseconds / 1000} s, not less than redactorTimeout `
    + `(${shape.redactorTimeout.toHumanString()}); jobs left at the deadline are retried, each using a receive: `
    + 'raise redactorTimeout or providerConcurrency, or lower batchSize.',
  );
}
