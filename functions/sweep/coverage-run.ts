import type { Account } from '../core/config/config';
import {
  busyLease,
  claimedCheckpoint,
  completedCheckpoint,
  leaseSecondsFor,
  planCoverageRun,
  type CoveragePlan,
} from '../core/reconciliation/coverage-checkpoint';
import type { CoverageStore } from '../core/reconciliation/coverage-store';
import { decideCoverage, type DeferredMessage } from '../core/reconciliation/deferred-message';
import { ConfigError } from '../core/runtime/errors';
import type { ListedMessage } from '../core/reconciliation/listed-message';
import { reconciliationJob, type RedactionJob } from '../core/redaction/redaction-job';
import { emptyTotals, redactCount, tally, SWEEP_PAGE_JOB_VERSION, type SweepPageJob, type SweepTotals } from '../core/reconciliation/sweep-page-job';
import type { SweepSchedule } from '../core/reconciliation/sweep-window';
import { LOG_EVENTS, METRICS } from '../core/telemetry/telemetry-names';
import { boundLister, readListPage, SweepPageError, type SweepDeps } from './sweep-page';

/** What a checkpointed run needs besides one page's dependencies. */
export interface CoverageDeps extends SweepDeps {
  readonly coverage: CoverageStore;
  readonly schedule: SweepSchedule;
  /** Pages a run may read before it stops and alarms. */
  readonly maxPagesPerRun: number;
}

/** How far the run's clock may run ahead of the provider's before the run refuses to act on it. */
export const MAX_CLOCK_AHEAD_SECONDS = 300;
/** Deferred entries per due-phase page (each becomes a redaction job, ten per SQS batch). */
const DUE_PAGE_LIMIT = 500;
/** Deferred re-checks per check-phase page (each is one GET at the provider). */
const CHECK_PAGE_LIMIT = 50;
const CHECKS_IN_FLIGHT = 8;

/** A page of a checkpointed run was acted on: the next page, or the end of the run (or of its turn). */
export type CoveragePageResult =
  | { readonly kind: 'next'; readonly job: SweepPageJob }
  | { readonly kind: 'done'; readonly totals: SweepTotals }
  | { readonly kind: 'superseded' }
  | { readonly kind: 'stopped'; readonly reason: 'page-limit' | 'cursor-repeat' | 'clock-ahead' };

/**
 * Starts a scheduled run: reads the route's checkpoint, plans the run from it and claims the route
 * with a conditional write. Undefined when another run holds the route: the next schedule covers
 * this one's slice too, since a run always starts where the last finished one stopped.
 */
export async function startCoverageRun(account: Account, clock: Date, deps: CoverageDeps): Promise<SweepPageJob | undefined> {
  const checkpoint = await deps.coverage.readCheckpoint(account.route);
  const now = deps.now();
  const busy = busyLease(checkpoint, now);
  const plan = planCoverageRun(checkpoint, account, clock, deps.schedule);
  const leaseUntil = new Date(now.getTime() + leaseSecondsFor(deps.schedule) * 1000);
  if (busy !== undefined || !(await deps.coverage.writeCheckpoint(claimedCheckpoint(checkpoint, plan, leaseUntil)))) {
    deps.log.warn(LOG_EVENTS.sweepRunBusy, { route: account.route, provider: account.provider, runId: busy?.runId ?? 'unknown' }, [
      { name: METRICS.sweepRunsBusy },
    ]);
    return undefined;
  }
  return coverageJob(plan, 'list', emptyTotals());
}

function coverageJob(plan: CoveragePlan, phase: 'list' | 'due' | 'check', totals: SweepTotals, cursors: { cursor?: string; storeCursor?: string } = {}): SweepPageJob {
  const afterMs = (iso: string) => new Date(Date.parse(iso) + 1).toISOString();
  return {
    v: SWEEP_PAGE_JOB_VERSION,
    runId: plan.runId,
    route: plan.route,
    // The list query is [from, to): one millisecond on makes it the plan's (listFrom, listTo].
    listFrom: afterMs(plan.listFrom),
    listTo: afterMs(plan.listTo),
    dueBy: plan.dueBy,
    ...(cursors.cursor === undefined ? {} : { cursor: cursors.cursor }),
    totals,
    coverage: { phase, plan, ...(cursors.storeCursor === undefined ? {} : { storeCursor: cursors.storeCursor }) },
  };
}

/**
 * One page of a checkpointed run, in three phases: list the provider's messages new since the
 * checkpoint (each message is listed once), enqueue the deferred messages whose retention ended in
 * the run's due range, re-read the deferred re-checks whose time came; then advance the checkpoint.
 * Every page first renews the run's lease, so a run that was taken over stops before it acts.
 */
export async function coveragePage(job: SweepPageJob, deps: CoverageDeps): Promise<CoveragePageResult> {
  const coverage = job.coverage;
  if (coverage === undefined) throw new TypeError('coveragePage: not a coverage run page');
  const { plan } = coverage;
  const account = deps.accounts.get(job.route);
  if (account === undefined) throw new ConfigError(`sweep: route ${job.route} is not a configured account`);
  const fields = { route: account.route, provider: account.provider, runId: plan.runId };
  const leaseUntil = new Date(deps.now().getTime() + leaseSecondsFor(deps.schedule) * 1000);
  if (!(await deps.coverage.renewLease(account.route, plan.runId, leaseUntil))) {
    deps.log.warn(LOG_EVENTS.sweepRunSuperseded, fields, [{ name: METRICS.sweepRunsBusy }]);
    return { kind: 'superseded' };
  }
  if (job.totals.pages >= deps.maxPagesPerRun) return stopped(deps, fields, 'page-limit', job.totals);
  const totals: SweepTotals = { ...job.totals, pages: job.totals.pages + 1, redact: { ...job.totals.redact }, skipped: { ...job.totals.skipped } };
  const act = new PageActions(account, plan, deps, totals);

  if (coverage.phase === 'list') {
    const page = await readListPage(account, deps.listers[account.provider], deps, {
      from: new Date(job.listFrom),
      to: new Date(job.listTo),
      pageSize: deps.pageSize,
      ...(job.cursor === undefined ? {} : { cursor: job.cursor }),
      needsBodyCheck: (message) => decideCoverage({ ...message, hasBody: true }, account, plan, deps.schedule).kind === 'redact',
    });
    // A clock ahead of the provider's would redact bodies still inside their retention: refuse it.
    if (page.serverTime !== undefined && Date.parse(plan.clock) > page.serverTime.getTime() + MAX_CLOCK_AHEAD_SECONDS * 1000) {
      return stopped(deps, fields, 'clock-ahead', totals);
    }
    totals.listed += page.messages.length;
    totals.scanned = (totals.scanned ?? 0) + (page.scanned ?? page.messages.length);
    for (const message of page.messages) act.decide(message);
    await act.flush();
    deps.log.info(LOG_EVENTS.sweepPage, { ...fields, phase: 'list', count: page.messages.length, enqueued: act.enqueued }, [
      { name: METRICS.sweepListed, value: page.messages.length },
      { name: METRICS.sweepScanned, value: page.scanned ?? page.messages.length },
      { name: METRICS.sweepEnqueued, value: act.enqueued },
    ]);
    if (page.nextCursor !== undefined && page.nextCursor === job.cursor) return stopped(deps, fields, 'cursor-repeat', totals);
    return page.nextCursor === undefined ? { kind: 'next', job: coverageJob(plan, 'due', totals) } : { kind: 'next', job: coverageJob(plan, 'list', totals, { cursor: page.nextCursor }) };
  }

  const kind = coverage.phase;
  const range = kind === 'due' ? { from: plan.dueFrom, to: plan.dueTo } : { from: plan.checkFrom, to: plan.checkTo };
  const entries = await deps.coverage.queryDeferred(account.route, kind, range, {
    limit: kind === 'due' ? DUE_PAGE_LIMIT : CHECK_PAGE_LIMIT,
    ...(coverage.storeCursor === undefined ? {} : { cursor: coverage.storeCursor }),
  });
  if (kind === 'due') {
    for (const entry of entries.entries) act.redact(entry.messageId, entry.status, entry.media);
  } else {
    await act.recheck(entries.entries);
  }
  await act.flush();
  deps.log.info(LOG_EVENTS.sweepPage, { ...fields, phase: kind, count: entries.entries.length, enqueued: act.enqueued }, [{ name: METRICS.sweepEnqueued, value: act.enqueued }]);
  if (entries.cursor !== undefined) {
    if (entries.cursor === coverage.storeCursor) return stopped(deps, fields, 'cursor-repeat', totals);
    return { kind: 'next', job: coverageJob(plan, kind, totals, { storeCursor: entries.cursor }) };
  }
  if (kind === 'due') return { kind: 'next', job: coverageJob(plan, 'check', totals) };
  return complete(plan, totals, deps, fields);
}

async function complete(plan: CoveragePlan, totals: SweepTotals, deps: CoverageDeps, fields: Record<string, string>): Promise<CoveragePageResult> {
  const current = await deps.coverage.readCheckpoint(plan.route);
  if (current?.run?.runId !== plan.runId || !(await deps.coverage.writeCheckpoint(completedCheckpoint(current, plan)))) {
    deps.log.warn(LOG_EVENTS.sweepRunSuperseded, fields, [{ name: METRICS.sweepRunsBusy }]);
    return { kind: 'superseded' };
  }
  deps.log.info(
    LOG_EVENTS.sweepCompleted,
    { ...fields, pages: totals.pages, count: totals.listed, enqueued: redactCount(totals), listedTo: plan.listTo, dueBy: plan.dueBy },
    [{ name: METRICS.sweepRunsCompleted }],
  );
  return { kind: 'done', totals };
}

function stopped(
  deps: CoverageDeps,
  fields: Record<string, string>,
  reason: 'page-limit' | 'cursor-repeat' | 'clock-ahead',
  totals: SweepTotals,
): CoveragePageResult {
  // The checkpoint stays where it was: once the lease runs out, the next run covers this slice again.
  deps.log.error(LOG_EVENTS.sweepRunStopped, { ...fields, reason, pages: totals.pages }, [{ name: METRICS.sweepRunsStopped }]);
  return { kind: 'stopped', reason };
}

/** What one page decided: redaction jobs and deferred entries, sent together at the end of the page. */
class PageActions {
  readonly #jobs: RedactionJob[] = [];
  readonly #deferred: DeferredMessage[] = [];
  readonly #receivedAt: string;

  constructor(
    private readonly account: Account,
    private readonly plan: CoveragePlan,
    private readonly deps: CoverageDeps,
    private readonly totals: SweepTotals,
  ) {
    this.#receivedAt = deps.now().toISOString();
  }

  get enqueued(): number {
    return this.#jobs.length;
  }

  decide(message: ListedMessage, notFinalAt?: string): void {
    const decision = decideCoverage(message, this.account, this.plan, this.deps.schedule, notFinalAt);
    if (decision.kind === 'redact') this.redact(message.id, message.status, message.mediaCount > 0);
    else if (decision.kind === 'defer') {
      tally(this.totals.skipped, `deferred-${decision.entry.kind}`);
      this.#deferred.push(decision.entry);
    } else tally(this.totals.skipped, decision.reason);
  }

  redact(messageId: string, status: string, media: boolean): void {
    tally(this.totals.redact, status);
    this.#jobs.push(reconciliationJob(this.account, { messageId, status, media }, this.#receivedAt));
  }

  /** Reads each re-check by id and decides it again; a message the provider no longer has is counted. */
  async recheck(entries: readonly DeferredMessage[]): Promise<void> {
    const secret = await this.deps.secrets.get(this.account.secretId);
    const provider = this.deps.listers[this.account.provider];
    const lister = boundLister(this.account, provider, secret);
    const fetchMessage = lister.fetchMessage?.bind(lister);
    if (fetchMessage === undefined) throw new ConfigError(`sweep: ${this.account.provider} cannot read a message by id`);
    const context = { http: this.deps.http, now: this.deps.now, ...(this.account.apiBaseUrl === undefined ? {} : { apiBaseUrl: this.account.apiBaseUrl }), ...(this.account.subaccountSid === undefined ? {} : { subaccountSid: this.account.subaccountSid }) };
    let next = 0;
    const results = new Array<ListedMessage | 'gone'>(entries.length);
    await Promise.all(Array.from({ length: Math.min(CHECKS_IN_FLIGHT, entries.length) }, async () => {
      while (next < entries.length) {
        const index = next++;
        const read = await fetchMessage(entries[index]!.messageId, context);
        if (!read.ok) {
          const code = read.outcome.code ?? read.outcome.kind;
          throw new SweepPageError(this.account.route, code, read.outcome.kind === 'transient' || read.outcome.kind === 'throttled');
        }
        results[index] = read.message ?? 'gone';
      }
    }));
    results.forEach((result, index) => {
      if (result === 'gone') tally(this.totals.skipped, 'gone');
      else this.decide(result, entries[index]!.notFinalAt);
    });
  }

  async flush(): Promise<void> {
    // Deferred entries first: a page retried after a failed enqueue writes the same keys again.
    if (this.#deferred.length > 0) await this.deps.coverage.putDeferred(this.#deferred);
    if (this.#jobs.length > 0) await this.deps.jobs.sendBatch(this.#jobs);
  }
}
