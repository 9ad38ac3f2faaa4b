import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetterAttributes, DeadLetterSender, JobBatchSender, JobSender, VisibilityController } from '../core/redaction/queues';
import type { RedactionJob } from '../core/redaction/redaction-job';
import type { FanOutJob } from '../core/reconciliation/fan-out-job';
import type { SweepPageJob } from '../core/reconciliation/sweep-page-job';
import { createHash } from 'node:crypto';

/** Entries per SendMessageBatch call. */
const SQS_BATCH_LIMIT = 10;

/** The redaction queue: the receiver sends jobs to it, the redactor delays records on it. */
export class SqsJobQueue implements JobSender, JobBatchSender, VisibilityController {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(job: RedactionJob, options?: { readonly delaySeconds?: number }): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(job),
        ...(options?.delaySeconds ? { DelaySeconds: options.delaySeconds } : {}),
      }),
    );
  }

  /** SendMessageBatch, ten jobs a call (SQS's limit); entries SQS refused are sent once more, then it throws. */
  async sendBatch(jobs: readonly RedactionJob[]): Promise<void> {
    for (let start = 0; start < jobs.length; start += SQS_BATCH_LIMIT) {
      let entries = jobs.slice(start, start + SQS_BATCH_LIMIT).map((job, index) => ({ Id: String(index), MessageBody: JSON.stringify(job) }));
      for (let round = 0; entries.length > 0; round++) {
        const answer = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
        const failed = new Set((answer.Failed ?? []).map((entry) => entry.Id));
        if (failed.size === 0) break;
        if (round === 1) throw new Error(`SQS refused ${failed.size} of ${entries.length} jobs in a batch`);
        entries = entries.filter((entry) => failed.has(entry.Id));
      }
    }
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }),
    );
  }
}

/**
 * The dead-letter queue, written to explicitly so every parked job carries its reason. (A message
 * sent here starts a fresh retention period, unlike one moved by the redrive policy.)
 */
export class SqsDeadLetterQueue implements DeadLetterSender {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async sendDeadLetter(body: string, attributes: DeadLetterAttributes): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body, MessageAttributes: toMessageAttributes(attributes) }),
    );
  }
}

/** Dead-letter attributes as SQS message attributes (`reason`, `code`, `provider`, …). */
export function toMessageAttributes(attributes: DeadLetterAttributes): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    out[name] = typeof value === 'number'
      ? { DataType: 'Number', StringValue: String(value) }
      : { DataType: 'String', StringValue: String(value) };
  }
  return out;
}

/**
 * The FIFO queue of sweep pages. One message group per account keeps an account's pages in order and
 * one at a time; the deduplication id (run, phase + page reference) makes a page sent twice, by a retry after
 * a crash, count once within SQS's five-minute deduplication interval.
 */
export class SqsSweepQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(job: SweepPageJob): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(job),
        MessageGroupId: job.route,
        // A checkpointed run's phases (list, due, check) each start with no cursor: the phase and the
        // store's cursor are part of the page's identity, or SQS would drop the next phase as a repeat.
        MessageDeduplicationId: createHash('sha256')
          .update(`${job.runId}\n${job.coverage?.phase ?? ''}\n${job.cursor ?? ''}\n${job.coverage?.storeCursor ?? ''}`)
          .digest('hex'),
      }),
    );
  }

  /** The next step of a schedule's fan-out: its own message group, one step at a time. */
  async sendFanOut(job: FanOutJob): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(job),
        MessageGroupId: `fan-out:${job.run}`, // a colon: no route can name this group
        MessageDeduplicationId: createHash('sha256').update(`fan-out\n${job.run}\n${job.time}\n${job.from}`).digest('hex'),
      }),
    );
  }
}
