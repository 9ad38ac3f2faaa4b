import type { Account } from '../core/config/config';
import { ConfigError, RedactorError } from '../core/runtime/errors';
import type { HttpClient } from '../core/runtime/http-client';
import { decideListedMessage, type SweepWindow } from '../core/reconciliation/listed-message-decision';
import type { Logger } from '../core/telemetry/logger';
import { LOG_EVENTS, METRICS } from '../core/telemetry/telemetry-names';
import { PerSecretMemo } from '../core/secrets/per-secret-memo';
import type { ProviderName } from '../core/provider-rules/provider-name';
import type { JobBatchSender } from '../core/redaction/queues';
import { reconciliationJob, type RedactionJob } from '../core/redaction/redaction-job';
import type { SecretStore } from '../core/secrets/secret-store';
import { redactCount, tally, type SweepPageJob, type SweepTotals } from '../core/reconciliation/sweep-page-job';
import type { ListPageQuery, ListPageResult, ListingProvider, MessageLister } from '../providers/provider';

/** Everything one sweep page needs, as one object. */
export interface SweepDeps {
  readonly accounts: ReadonlyMap<string, Account>;
  readonly listers: Readonly<Record<ProviderName, ListingProvider>>;
  readonly secrets: SecretStore;
  readonly http: HttpClient;
  /** The redaction queue: the sweep feeds the same path as the callbacks. */
  readonly jobs: JobBatchSender;
  readonly now: () => Date;
  readonly log: Logger;
  /** Messages asked of the provider per page. */
  readonly pageSize: number;
}

export interface SweepPageOptions {
  /** Count what would be redacted, enqueue nothing. */
  readonly dryRun?: boolean;
}

/** The page was read and acted on: the next page to read, or the run's totals when it was the last. */
export type SweepPageResult =
  | { readonly kind: 'next'; readonly job: SweepPageJob }
  | { readonly kind: 'done'; readonly totals: SweepTotals };

/** A page could not be read (provider down, throttling, credentials): the page job is retried as a whole. */
export class SweepPageError extends RedactorError {
  override readonly name = 'SweepPageError';
  constructor(
    readonly route: string,
    readonly code: string,
    retryable: boolean,
  ) {
    super(`sweep of route ${route} could not read the provider's list (${code})`, { retryable, httpStatus: 503 });
  }
}

const listers = new PerSecretMemo<MessageLister>();

/** The account's lister for these credentials, bound once per secret value (a rotation binds anew). */
export function boundLister(account: Account, provider: ListingProvider, secret: unknown): MessageLister {
  return listers.get(secret as object, provider.provider, () => provider.bindLister(secret, account.secretId));
}

/**
 * Reads one page of an account's message list, decides each message with the shared rules, and sends
 * the ones due to the redaction queue. Idempotent per page: a page read twice (a crash between the
 * enqueue and the next page's job) only enqueues jobs that find the body already gone.
 */
export async function sweepPage(job: SweepPageJob, deps: SweepDeps, options: SweepPageOptions = {}): Promise<SweepPageResult> {
  const account = deps.accounts.get(job.route);
  if (account === undefined) throw new ConfigError(`sweep: route ${job.route} is not a configured account`);
  const provider = deps.listers[account.provider];
  const window: SweepWindow = { now: new Date(job.dueBy), ...(job.dueAfter === undefined ? {} : { dueAfter: new Date(job.dueAfter) }) };
  const page = await readPage(job, account, provider, deps, window);

  const totals: SweepTotals = { ...job.totals, pages: job.totals.pages + 1, listed: job.totals.listed + page.messages.length, redact: { ...job.totals.redact }, skipped: { ...job.totals.skipped } };
  const redactions: RedactionJob[] = [];
  const receivedAt = deps.now().toISOString();
  for (const message of page.messages) {
    const decision = decideListedMessage(message, account, window);
    if (decision.kind === 'skip') {
      tally(totals.skipped, decision.reason);
      continue;
    }
    tally(totals.redact, message.status);
    redactions.push(reconciliationJob(account, { messageId: message.id, status: message.status, media: message.mediaCount > 0 }, receivedAt));
  }
  if (!options.dryRun && redactions.length > 0) await deps.jobs.sendBatch(redactions);
  const enqueued = options.dryRun ? 0 : redactions.length;
  deps.log.info(LOG_EVENTS.sweepPage, { route: account.route, provider: account.provider, count: page.messages.length, enqueued }, [
    { name: METRICS.sweepListed, value: page.messages.length },
    { name: METRICS.sweepEnqueued, value: enqueued },
  ]);

  if (page.nextCursor !== undefined) return { kind: 'next', job: { ...job, cursor: page.nextCursor, totals } };
  deps.log.info(LOG_EVENTS.sweepCompleted, {
    route: account.route,
    provider: account.provider,
    pages: totals.pages,
    count: totals.listed,
    enqueued: options.dryRun ? 0 : redactCount(totals),
  });
  return { kind: 'done', totals };
}

async function readPage(
  job: SweepPageJob,
  account: Account,
  provider: ListingProvider,
  deps: SweepDeps,
  window: SweepWindow,
): Promise<Extract<ListPageResult, { ok: true }>> {
  return readListPage(account, provider, deps, {
    from: new Date(job.listFrom),
    to: new Date(job.listTo),
    pageSize: deps.pageSize,
    ...(job.cursor === undefined ? {} : { cursor: job.cursor }),
    // Only a message that would be redacted is worth a request to learn whether it still holds a body.
    needsBodyCheck: (message) => decideListedMessage({ ...message, hasBody: true }, account, window).kind === 'redact',
  });
}

/**
 * Reads one page of an account's list with its cached credentials, reading them once more after an
 * auth failure (they may have been rotated). Any other failure throws a SweepPageError.
 */
export async function readListPage(
  account: Account,
  provider: ListingProvider,
  deps: Pick<SweepDeps, 'secrets' | 'http' | 'now' | 'log'>,
  query: ListPageQuery,
): Promise<Extract<ListPageResult, { ok: true }>> {
  const context = {
    http: deps.http,
    now: deps.now,
    ...(account.apiBaseUrl === undefined ? {} : { apiBaseUrl: account.apiBaseUrl }),
    ...(account.subaccountSid === undefined ? {} : { subaccountSid: account.subaccountSid }),
  };
  for (let attempt = 1; ; attempt++) {
    const secret = await deps.secrets.get(account.secretId);
    const lister = boundLister(account, provider, secret);
    const result = await lister.listPage(query, context);
    if (result.ok) return result;
    if (result.outcome.kind === 'auth' && attempt === 1) {
      deps.secrets.invalidate(account.secretId);
      continue;
    }
    const code = result.outcome.code ?? result.outcome.kind;
    deps.log.warn(LOG_EVENTS.sweepPageFailed, { route: account.route, provider: account.provider, outcome: result.outcome.kind, code });
    throw new SweepPageError(account.route, code, result.outcome.kind === 'transient' || result.outcome.kind === 'throttled');
  }
}
