import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseSweepPageJob } from '../core/sweep-page-job';
import { scheduledRunJob } from '../core/sweep-window';
import type { SweepFunctionDeps } from './sweep-deps';
import { sweepPage } from './sweep-page';

/** What the schedule sends, once per account and interval (an EventBridge rule's input). */
export interface ScheduledSweepEvent {
  readonly kind: 'sweep-schedule';
  readonly route: string;
  /** The scheduled time of this run (the EventBridge event's `time`). */
  readonly time: string;
}

export type SweepHandler = (event: ScheduledSweepEvent | SQSEvent) => Promise<SQSBatchResponse | void>;

/**
 * The sweep's Lambda handler. A scheduled event only queues the run's first page; each page is then
 * one message of the FIFO page queue, read, acted on and followed by the next page's message. Work
 * per invocation is one page, and a run that dies half way resumes at the page whose message is left.
 */
export function createSweepHandler(deps: SweepFunctionDeps): SweepHandler {
  return async (event) => {
    if ('Records' in event) return handlePages(event, deps);
    const account = deps.accounts.get(event.route);
    if (event.kind !== 'sweep-schedule' || account === undefined || Number.isNaN(Date.parse(event.time))) {
      // A wrong rule input is a deployment bug: fail the invocation so its error metric and alarm fire.
      deps.log.error('sweep.bad-schedule-event', { route: String(event.route ?? '') });
      throw new Error('sweep schedule event must be { kind: "sweep-schedule", route, time } for a configured route');
    }
    const first = scheduledRunJob(account, new Date(event.time), deps.schedule);
    await deps.pages.send(first);
    deps.log.info('sweep.started', { route: account.route, provider: account.provider });
  };
}

async function handlePages(event: SQSEvent, deps: SweepFunctionDeps): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    const parsed = parseSweepPageJob(record.body);
    if (!parsed.ok) {
      // Not retryable, but never dropped: it fails until the page queue's redrive parks it in the DLQ.
      deps.log.error('sweep.invalid-page-job', { reason: parsed.problem });
      failures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      const result = await sweepPage(parsed.job, deps);
      if (result.kind === 'next') await deps.pages.send(result.job);
    } catch (error) {
      deps.log.error('sweep.page-error', { route: parsed.job.route, error });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
