import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { withRequestId } from '../core/telemetry/logger';
import { parseSweepPageJob } from '../core/reconciliation/sweep-page-job';
import { LOG_EVENTS, METRICS } from '../core/telemetry/telemetry-names';
import type { SweepFunctionDeps } from './sweep-deps';
import { auditPage } from './audit-run';
import { fanOutStep } from './fan-out';
import { coveragePage, startCoverageRun } from './coverage-run';
import { isFanOutMessage, parseFanOutJob, type FanOutJob } from '../core/reconciliation/fan-out-job';
import { sweepPage } from './sweep-page';

/** What the audit's schedule sends, once a day for every account (an EventBridge rule's input). */
export interface ScheduledAuditEvent {
  readonly kind: 'audit-schedule';
  /** The scheduled time of this audit (the EventBridge event's `time`): the audit's clock. */
  readonly time: string;
}

/**
 * What the sweep's schedule sends once per interval (an EventBridge rule's input): without a route,
 * every account's run starts (fanned out through the page queue); with one, that account's only.
 */
export interface ScheduledSweepEvent {
  readonly kind: 'sweep-schedule';
  readonly route?: string;
  /** The scheduled time of this run (the EventBridge event's `time`). */
  readonly time: string;
}

/** What the sweep reads from Lambda's context: the request id it puts on every log line. */
export interface SweepContext {
  readonly awsRequestId?: string;
}

export type SweepHandler = (event: ScheduledSweepEvent | ScheduledAuditEvent | SQSEvent, context?: SweepContext) => Promise<SQSBatchResponse | void>;

/**
 * The sweep's Lambda handler. A scheduled event only queues the run's first page; each page is then
 * one message of the FIFO page queue, read, acted on and followed by the next page's message. Work
 * per invocation is one page, and a run that dies half way resumes at the page whose message is left.
 */
export function createSweepHandler(base: SweepFunctionDeps): SweepHandler {
  return async (event, context) => {
    const deps = { ...base, log: withRequestId(base.log, context?.awsRequestId) };
    try {
      return await handle(event, deps);
    } finally {
      deps.log.flush?.();
    }
  };
}

async function handle(event: ScheduledSweepEvent | ScheduledAuditEvent | SQSEvent, deps: SweepFunctionDeps): Promise<SQSBatchResponse | void> {
  if ('Records' in event) return handlePages(event, deps);
  if (event.kind === 'audit-schedule') return startAudits(event, deps);
  const account = event.route === undefined ? undefined : deps.accounts.get(event.route);
  if (event.kind !== 'sweep-schedule' || (event.route !== undefined && account === undefined) || Number.isNaN(Date.parse(event.time))) {
    // A wrong rule input is a deployment bug: fail the invocation so its error metric and alarm fire.
    deps.log.error(LOG_EVENTS.sweepBadScheduleEvent, { route: String(event.route ?? '') });
    throw new Error('sweep schedule event must be { kind: "sweep-schedule", time[, route] } (a configured route)');
  }
  if (account === undefined) return fanOut({ v: 1, kind: 'fan-out', run: 'sweep', time: new Date(event.time).toISOString(), from: 0 }, deps);
  // The event's time is EventBridge's clock: the run is planned on AWS's time, not this host's.
  const first = await startCoverageRun(account, new Date(event.time), deps);
  if (first === undefined) return;
  await deps.pages.send(first);
  deps.log.info(LOG_EVENTS.sweepStarted, { route: account.route, provider: account.provider, runId: first.runId });
}

/** Queues the first page of every account's audit; each then runs page by page like a sweep run. */
async function startAudits(event: ScheduledAuditEvent, deps: SweepFunctionDeps): Promise<void> {
  if (Number.isNaN(Date.parse(event.time))) {
    deps.log.error(LOG_EVENTS.auditBadScheduleEvent, {});
    throw new Error('audit schedule event must be { kind: "audit-schedule", time }');
  }
  await fanOut({ v: 1, kind: 'fan-out', run: 'audit', time: new Date(event.time).toISOString(), from: 0 }, deps);
}

/** One fan-out step here, and the next one, if any, through the page queue. */
async function fanOut(job: FanOutJob, deps: SweepFunctionDeps): Promise<void> {
  const next = await fanOutStep(job, deps);
  if (next !== undefined) await deps.pages.sendFanOut(next);
}

async function handlePages(event: SQSEvent, deps: SweepFunctionDeps): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    if (isFanOutMessage(record.body)) {
      const step = parseFanOutJob(record.body);
      if (!step.ok) {
        deps.log.error(LOG_EVENTS.sweepInvalidPageJob, { reason: step.problem });
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        await fanOut(step.job, deps);
      } catch (error) {
        deps.log.error(LOG_EVENTS.sweepPageError, { error }, [{ name: METRICS.sweepPagesFailed }]);
        failures.push({ itemIdentifier: record.messageId });
      }
      continue;
    }
    const parsed = parseSweepPageJob(record.body);
    if (!parsed.ok) {
      // Not retryable, but never dropped: it fails until the page queue's redrive parks it in the DLQ.
      deps.log.error(LOG_EVENTS.sweepInvalidPageJob, { reason: parsed.problem });
      failures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      const job = parsed.job;
      const result = job.audit !== undefined ? await auditPage(job, deps) : job.coverage !== undefined ? await coveragePage(job, deps) : await sweepPage(job, deps);
      if (result.kind === 'next') await deps.pages.send(result.job);
    } catch (error) {
      // Counted here, once per failed page whatever failed (the list, the enqueue, the config): a
      // retried page is not a function error, so this metric is what the failing-pages alarm watches.
      const provider = deps.accounts.get(parsed.job.route)?.provider;
      deps.log.error(LOG_EVENTS.sweepPageError, { route: parsed.job.route, ...(provider === undefined ? {} : { provider }), error }, [
        { name: METRICS.sweepPagesFailed },
      ]);
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
