import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { parseRedactionJob } from '../functions/core/redaction-job';

/** One parked job as the operator sees it: ids, reason and timing only, never the body. */
export interface DeadLetterEntry {
  /** SQS message id in the DLQ. */
  readonly id: string;
  readonly provider: string;
  readonly route: string;
  /** The provider's message id. */
  readonly messageId: string;
  readonly reason: string;
  readonly code: string;
  readonly attempts: string;
  /** Seconds since the job was parked. */
  readonly ageSeconds: number;
}

export interface DlqQueues {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
}

/** How long listed messages stay hidden from other readers while we page through the DLQ. */
const SCAN_VISIBILITY_SECONDS = 60;

/**
 * Reads every message in the DLQ (optionally only one reason) without consuming it: messages are
 * received, described, and made visible again. Messages moved by SQS's own redrive carry no reason
 * attribute and are listed as `redrive-backstop`.
 */
export async function listDeadLetters(queues: DlqQueues, filter: { reason?: string; limit?: number } = {}, now = Date.now()): Promise<DeadLetterEntry[]> {
  const { messages, release } = await scan(queues);
  try {
    return messages
      .map((m) => describe(m, now))
      .filter((e) => filter.reason === undefined || e.reason === filter.reason)
      .slice(0, filter.limit ?? Number.POSITIVE_INFINITY);
  } finally {
    await release(messages);
  }
}

export interface RedriveResult {
  readonly matched: number;
  readonly moved: number;
  readonly dryRun: boolean;
}

/**
 * Moves parked jobs (all, or one reason) back to the redaction queue: send, then delete, so a crash
 * in between duplicates a job (harmless: redaction is idempotent) but never loses one. The job's
 * `receivedAt` is reset, so its retry clock starts again instead of giving up at once.
 */
export async function redriveDeadLetters(queues: DlqQueues, options: { reason?: string; dryRun?: boolean } = {}, now = new Date()): Promise<RedriveResult> {
  const { messages, release } = await scan(queues);
  const matching = messages.filter((m) => options.reason === undefined || reasonOf(m) === options.reason);
  const others = messages.filter((m) => !matching.includes(m));
  if (options.dryRun) {
    await release(messages);
    return { matched: matching.length, moved: 0, dryRun: true };
  }
  await release(others);
  let moved = 0;
  for (let i = 0; i < matching.length; i += 10) {
    const chunk = matching.slice(i, i + 10);
    const sent = await queues.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.queueUrl,
        Entries: chunk.map((m, j) => ({ Id: String(j), MessageBody: restartClock(m.Body ?? '', now) })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    const toDelete = chunk.filter((_, j) => ok.has(String(j)));
    if (toDelete.length > 0) {
      await queues.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queues.deadLetterQueueUrl,
          Entries: toDelete.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    await release(chunk.filter((_, j) => !ok.has(String(j))));
    moved += toDelete.length;
  }
  return { matched: matching.length, moved, dryRun: false };
}

/** Deletes everything in the DLQ (SQS PurgeQueue). */
export async function purgeDeadLetters(queues: DlqQueues): Promise<void> {
  await queues.sqs.send(new PurgeQueueCommand({ QueueUrl: queues.deadLetterQueueUrl }));
}

async function scan(queues: DlqQueues): Promise<{ messages: Message[]; release: (messages: Message[]) => Promise<void> }> {
  const messages: Message[] = [];
  // SQS returns a sample of the queue per call: stop after two empty answers in a row.
  for (let empty = 0; empty < 2; ) {
    const out = await queues.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: SCAN_VISIBILITY_SECONDS,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['SentTimestamp'],
        MessageAttributeNames: ['All'],
      }),
    );
    const batch = out.Messages ?? [];
    empty = batch.length === 0 ? empty + 1 : 0;
    messages.push(...batch);
  }
  const release = async (toRelease: Message[]) => {
    for (let i = 0; i < toRelease.length; i += 10) {
      await queues.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queues.deadLetterQueueUrl,
          Entries: toRelease.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
        }),
      );
    }
  };
  return { messages, release };
}

function reasonOf(message: Message): string {
  return message.MessageAttributes?.reason?.StringValue ?? 'redrive-backstop';
}

function describe(message: Message, now: number): DeadLetterEntry {
  const parsed = parseRedactionJob(message.Body ?? '');
  const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  const sent = Number(message.Attributes?.SentTimestamp ?? now);
  return {
    id: message.MessageId ?? '',
    provider: parsed.ok ? parsed.job.provider : (attribute('provider') ?? '?'),
    route: parsed.ok ? parsed.job.route : (attribute('route') ?? '?'),
    messageId: parsed.ok ? parsed.job.messageId : (attribute('messageId') ?? '(not a job)'),
    reason: reasonOf(message),
    code: attribute('code') ?? '',
    attempts: attribute('attempts') ?? '',
    ageSeconds: Math.max(0, Math.round((now - sent) / 1000)),
  };
}

function restartClock(body: string, now: Date): string {
  const parsed = parseRedactionJob(body);
  return parsed.ok ? JSON.stringify({ ...parsed.job, receivedAt: now.toISOString() }) : body;
}
