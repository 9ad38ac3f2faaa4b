import { auditVerdict } from '../core/reconciliation/audit-verdict';
import { auditCsv, auditReport, auditReportKeys, type AuditReport } from '../core/reconciliation/audit-report';
import type { Account } from '../core/config/config';
import { ConfigError } from '../core/runtime/errors';
import type { EvidenceStore } from '../core/reconciliation/evidence-store';
import { reconciliationJob, type RedactionJob } from '../core/redaction/redaction-job';
import { AUDIT_HELD_ROWS_LIMIT, emptyTotals, SWEEP_PAGE_JOB_VERSION, type SweepPageJob } from '../core/reconciliation/sweep-page-job';
import type { SweepSchedule } from '../core/reconciliation/sweep-window';
import { LOG_EVENTS, METRICS } from '../core/telemetry/telemetry-names';
import { MAX_CLOCK_AHEAD_SECONDS } from './coverage-run';
import { readListPage, type SweepDeps } from './sweep-page';

/** What an audit needs besides one page's dependencies. */
export interface AuditDeps extends SweepDeps {
  readonly evidence: EvidenceStore;
  readonly schedule: SweepSchedule;
  /** How far beyond the retention the audit reads the list. */
  readonly auditLookbackSeconds: number;
  readonly maxPagesPerRun: number;
}

const SECOND = 1000;

/**
 * The first page of an audit of one route at `clock`: the provider's list over the whole retention
 * plus the lookback, judged against the retention as of `clock` less the sweep's settle time.
 */
export function auditFirstJob(account: Account, clock: Date, deps: Pick<AuditDeps, 'schedule' | 'auditLookbackSeconds'>): SweepPageJob {
  const longestWait = Math.max(account.redactAfterSeconds, account.sentAgeSeconds);
  return {
    v: SWEEP_PAGE_JOB_VERSION,
    runId: `${account.route}:audit:${clock.toISOString()}`,
    route: account.route,
    listFrom: new Date(clock.getTime() - (longestWait + deps.auditLookbackSeconds) * SECOND).toISOString(),
    listTo: clock.toISOString(),
    dueBy: new Date(clock.getTime() - deps.schedule.settleSeconds * SECOND).toISOString(),
    totals: emptyTotals(),
    audit: { clock: clock.toISOString(), counts: {}, perDay: {}, held: [], heldOverflow: 0, enqueued: 0 },
  };
}

export type AuditPageResult =
  | { readonly kind: 'next'; readonly job: SweepPageJob }
  | { readonly kind: 'done'; readonly report: AuditReport; readonly locations: readonly string[] }
  | { readonly kind: 'stopped'; readonly reason: 'page-limit' | 'cursor-repeat' | 'clock-ahead' };

/**
 * One page of an audit: reads the list, states each message's standing, enqueues every held body
 * the pipeline can redact (the audit heals), and carries the counts on. The last page writes the
 * report (JSON and CSV) to the evidence bucket and emits BodiesHeldPastRetention per reason.
 */
export async function auditPage(job: SweepPageJob, deps: AuditDeps): Promise<AuditPageResult> {
  const progress = job.audit;
  if (progress === undefined) throw new TypeError('auditPage: not an audit page');
  const account = deps.accounts.get(job.route);
  if (account === undefined) throw new ConfigError(`audit: route ${job.route} is not a configured account`);
  const fields = { route: account.route, provider: account.provider, runId: job.runId };
  if (job.totals.pages >= deps.maxPagesPerRun) return stopped(deps, fields, 'page-limit', job.totals.pages);
  const dueBy = new Date(job.dueBy);
  const page = await readListPage(account, deps.listers[account.provider], deps, {
    from: new Date(job.listFrom),
    to: new Date(job.listTo),
    pageSize: deps.pageSize,
    ...(job.cursor === undefined ? {} : { cursor: job.cursor }),
    // A body is only worth a read where its presence makes a message held.
    needsBodyCheck: (message) => auditVerdict({ ...message, hasBody: true }, account, dueBy, deps.schedule.lateStatusSeconds).state === 'held',
  });
  // A clock ahead of the provider's would call bodies still inside their retention held, and enqueue them.
  if (page.serverTime !== undefined && Date.parse(progress.clock) > page.serverTime.getTime() + MAX_CLOCK_AHEAD_SECONDS * 1000) {
    return stopped(deps, fields, 'clock-ahead', job.totals.pages);
  }
  const audit = { ...progress, counts: { ...progress.counts }, perDay: { ...progress.perDay }, held: [...progress.held] };
  const jobs: RedactionJob[] = [];
  const receivedAt = deps.now().toISOString();
  for (const message of page.messages) {
    const verdict = auditVerdict(message, account, dueBy, deps.schedule.lateStatusSeconds);
    audit.counts[verdict.state] = (audit.counts[verdict.state] ?? 0) + 1;
    const day = (message.sentAt ?? message.createdAt).toISOString().slice(0, 10);
    const figures = { ...(audit.perDay[day] ?? { listed: 0, redacted: 0, held: 0 }) };
    figures.listed++;
    if (verdict.state === 'redacted') figures.redacted++;
    if (verdict.state === 'held' && verdict.reason !== undefined && verdict.dueAt !== undefined) {
      figures.held++;
      const key = `held:${verdict.reason}`;
      audit.counts[key] = (audit.counts[key] ?? 0) + 1;
      if (audit.held.length < AUDIT_HELD_ROWS_LIMIT) audit.held.push({ id: message.id, status: message.status.slice(0, 64), dueAt: verdict.dueAt.toISOString(), reason: verdict.reason });
      else audit.heldOverflow++;
      if (verdict.reason === 'due-not-redacted') {
        jobs.push(reconciliationJob(account, { messageId: message.id, status: message.status, media: message.mediaCount > 0 }, receivedAt));
      }
    }
    audit.perDay[day] = figures;
  }
  if (jobs.length > 0) await deps.jobs.sendBatch(jobs);
  audit.enqueued += jobs.length;
  const totals = { ...job.totals, pages: job.totals.pages + 1, listed: job.totals.listed + page.messages.length, scanned: (job.totals.scanned ?? 0) + (page.scanned ?? page.messages.length) };
  deps.log.info(LOG_EVENTS.auditPage, { ...fields, count: page.messages.length, enqueued: jobs.length }, [
    { name: METRICS.sweepListed, value: page.messages.length },
    { name: METRICS.sweepEnqueued, value: jobs.length },
  ]);
  const next: SweepPageJob = { ...job, totals, audit, ...(page.nextCursor === undefined ? {} : { cursor: page.nextCursor }) };
  if (page.nextCursor !== undefined) {
    if (page.nextCursor === job.cursor) return stopped(deps, fields, 'cursor-repeat', totals.pages);
    return { kind: 'next', job: next };
  }
  return finish(next, audit, account, deps, fields);
}

async function finish(
  job: SweepPageJob,
  audit: NonNullable<SweepPageJob['audit']>,
  account: Account,
  deps: AuditDeps,
  fields: { route: string; provider: string; runId: string },
): Promise<AuditPageResult> {
  const report = auditReport(job, audit, account);
  const keys = auditReportKeys(account.route, audit.clock);
  const locations = [
    await deps.evidence.put(keys.json, `${JSON.stringify(report, null, 2)}\n`, 'application/json'),
    await deps.evidence.put(keys.csv, auditCsv(report), 'text/csv'),
  ];
  // One point per reason, zero included: the alarm sees a fresh 0 after every clean audit.
  for (const reason of ['due-not-redacted', 'provider-cannot-redact'] as const) {
    deps.log.info(LOG_EVENTS.auditHeld, { ...fields, reason, count: report.heldPastRetention[reason] ?? 0 }, [
      { name: METRICS.bodiesHeldPastRetention, value: report.heldPastRetention[reason] ?? 0, by: 'reason' },
    ]);
  }
  deps.log.info(LOG_EVENTS.auditCompleted, { ...fields, pages: report.pages, count: report.listed, enqueued: report.enqueued });
  return { kind: 'done', report, locations };
}

function stopped(deps: AuditDeps, fields: Record<string, string>, reason: 'page-limit' | 'cursor-repeat' | 'clock-ahead', pages: number): AuditPageResult {
  deps.log.error(LOG_EVENTS.sweepRunStopped, { ...fields, reason, pages }, [{ name: METRICS.sweepRunsStopped }]);
  return { kind: 'stopped', reason };
}
