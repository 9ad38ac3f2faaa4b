import type { Account } from '../config/config';
import type { SweepPageJob } from './sweep-page-job';

type AuditProgress = NonNullable<SweepPageJob['audit']>;

/** Where a route's audit report and its CSV go in the evidence bucket: one pair per route and run. */
export function auditReportKeys(route: string, clock: string): { readonly json: string; readonly csv: string } {
  const base = `audits/${route}/${clock.slice(0, 10)}/${clock.replaceAll(':', '-')}`;
  return { json: `${base}/report.json`, csv: `${base}/report.csv` };
}

/** The evidence of one audit of one route: counts, per-day figures and the held bodies by id. No body, no number. */
export interface AuditReport {
  readonly v: 1;
  readonly route: string;
  readonly provider: string;
  readonly runId: string;
  /** The audit's clock and the range of list dates it read. */
  readonly clock: string;
  readonly listFrom: string;
  readonly listTo: string;
  /** Bodies due at or before this instant were expected gone. */
  readonly dueBy: string;
  readonly retentionSeconds: number;
  readonly listed: number;
  readonly pages: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly heldPastRetention: Readonly<Record<string, number>>;
  readonly enqueued: number;
  readonly perDay: ReadonlyArray<{ readonly day: string; readonly listed: number; readonly redacted: number; readonly held: number }>;
  readonly held: AuditProgress['held'];
  /** Held bodies beyond the ones listed by id (the report names the first ones). */
  readonly heldNotListed: number;
}

export function auditReport(job: SweepPageJob, audit: AuditProgress, account: Account): AuditReport {
  const heldPastRetention: Record<string, number> = {};
  for (const [key, n] of Object.entries(audit.counts)) if (key.startsWith('held:')) heldPastRetention[key.slice('held:'.length)] = n;
  return {
    v: 1,
    route: account.route,
    provider: account.provider,
    runId: job.runId,
    clock: audit.clock,
    listFrom: job.listFrom,
    listTo: job.listTo,
    dueBy: job.dueBy,
    retentionSeconds: account.redactAfterSeconds,
    listed: job.totals.listed,
    pages: job.totals.pages,
    counts: audit.counts,
    heldPastRetention,
    enqueued: audit.enqueued,
    perDay: Object.entries(audit.perDay).sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, figures]) => ({ day, ...figures })),
    held: audit.held,
    heldNotListed: audit.heldOverflow,
  };
}

/** The report as a CSV a spreadsheet opens: one row per day, then one per held body. */
export function auditCsv(report: AuditReport): string {
  const rows = [['record', 'route', 'day_or_message_id', 'status', 'due_at', 'reason', 'listed', 'redacted', 'held']];
  for (const d of report.perDay) rows.push(['day', report.route, d.day, '', '', '', String(d.listed), String(d.redacted), String(d.held)]);
  for (const h of report.held) rows.push(['held', report.route, h.id, h.status, h.dueAt, h.reason, '', '', '']);
  if (report.heldNotListed > 0) rows.push(['held-not-listed', report.route, '', '', '', '', '', '', String(report.heldNotListed)]);
  // Fields are validated ids, statuses, instants and counts; quoted, so a comma in a status cannot shift a column.
  return rows.map((row) => row.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(',')).join('\r\n') + '\r\n';
}
