import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { parseRedactionJob } from '../functions/core/redaction/redaction-job';
import type { DeadLetterReason } from '../functions/core/redaction/retry-policy';

// A Record, so a reason added to DeadLetterReason must be added here too.
const REASONS: Record<DeadLetterReason | 'redrive-backstop', true> = {
  rejected: true,
  'provider-cannot-redact': true,
  auth: true,
  'gave-up': true,
  'invalid-job': true,
  'unknown-route': true,
  config: true,
  'redrive-backstop': true,
};

/** Every reason a parked job can carry: the redactor's, and `redrive-backstop` for SQS's own redrive. */
export const DEAD_LETTER_REASONS: readonly string[] = Object.keys(REASONS);

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

/**
 * How long scanned messages stay hidden from other readers (and from the scan itself) while we page
 * through the DLQ; they are made visible again at the end.
 */
const SCAN_VISIBILITY_SECONDS = 300;

/**
 * Reads the DLQ (optionally one reason, at most `limit` entries) without consuming it: messages are
 * received, described, and made visible again. Messages moved by SQS's own redrive carry no reason
 * attribute and are listed as `redrive-backstop`.
 */
export async function listDeadLetters(queues: DlqQueues, filter: { reason?: string; limit?: number } = {}, now = Date.now()): Promise<DeadLetterEntry[]> {
  return (await listDeadLetterPage(queues, filter, now)).entries;
}

/** The first `limit` parked jobs, and how many match in all. */
export interface DeadLetterPage {
  readonly entries: DeadLetterEntry[];
  /** Every matching job the scan saw, beyond `limit` too. */
  readonly matched: number;
}

/** Like {@link listDeadLetters}, but scans the whole DLQ so it can say how many match beyond `limit`. */
export async function listDeadLetterPage(queues: DlqQueues, filter: { reason?: string; limit?: number } = {}, now = Date.now()): Promise<DeadLetterPage> {
  const entries: DeadLetterEntry[] = [];
  const limit = filter.limit ?? Number.POSITIVE_INFINITY;
  let matched = 0;
  const held = await scan(queues, (batch) => {
    for (const message of batch) {
      const entry = describe(message, now);
      if (filter.reason !== undefined && entry.reason !== filter.reason) continue;
      matched += 1;
      if (entries.length < limit) entries.push(entry);
    }
    return true;
  });
  await release(queues, held);
  return { entries, matched };
}

export interface RedriveResult {
  readonly matched: number;
  readonly moved: number;
  readonly dryRun: boolean;
}

/**
 * Moves parked jobs (all, or one reason) back to the redaction queue batch by batch as they are read:
 * send, then delete, so a crash in between duplicates a job (harmless: redaction is idempotent) but
 * never loses one. The job's `receivedAt` is reset, so its retry clock starts again instead of giving
 * up at once. A job is counted as moved only when both its send and its delete succeeded.
 */
export async function redriveDeadLetters(queues: DlqQueues, options: { reason?: string; dryRun?: boolean } = {}, now = new Date()): Promise<RedriveResult> {
  let matched = 0;
  let moved = 0;
  /** Everything not moved (other reasons, a dry run, failed sends): made visible again at the end. */
  const toRelease: Message[] = [];
  await scan(queues, async (batch) => {
    const matching = batch.filter((m) => options.reason === undefined || reasonOf(m) === options.reason);
    toRelease.push(...batch.filter((m) => !matching.includes(m)));
    matched += matching.length;
    if (options.dryRun) {
      toRelease.push(...matching);
      return true;
    }
    if (matching.length === 0) return true;
    const sent = await queues.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.queueUrl,
        Entries: matching.map((m, j) => ({ Id: String(j), MessageBody: restartClock(m.Body ?? '', now) })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    toRelease.push(...matching.filter((_, j) => !ok.has(String(j))));
    const toDelete = matching.filter((_, j) => ok.has(String(j)));
    if (toDelete.length > 0) {
      const deleted = await queues.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queues.deadLetterQueueUrl,
          Entries: toDelete.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
      moved += toDelete.length - (deleted.Failed?.length ?? 0);
    }
    return true;
  });
  await release(queues, toRelease);
  return { matched, moved, dryRun: options.dryRun ?? false };
}

/** Deletes everything in the DLQ (SQS PurgeQueue). */
export async function purgeDeadLetters(queues: DlqQueues): Promise<void> {
  await queues.sqs.send(new PurgeQueueCommand({ QueueUrl: queues.deadLetterQueueUrl }));
}

/**
 * Receives the DLQ batch by batch, handing each batch of not-yet-seen messages to `onBatch` (which
 * returns false to stop early). Ends after two empty answers in a row (SQS samples the queue), or
 * when only already-seen messages come back. Returns every message received, still hidden.
 */
async function scan(queues: DlqQueues, onBatch: (batch: Message[]) => boolean | Promise<boolean>): Promise<Message[]> {
  const seen = new Map<string, Message>();
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
    const fresh = (out.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? ''));
    for (const m of fresh) seen.set(m.MessageId ?? '', m);
    if ((out.Messages ?? []).length > 0 && fresh.length === 0) break;
    empty = fresh.length === 0 ? empty + 1 : 0;
    if (fresh.length > 0 && !(await onBatch(fresh))) break;
  }
  return [...seen.values()];
}

/** Makes messages visible again (best effort: a stale receipt handle only means it already is). */
async function release(queues: DlqQueues, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    await queues.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queues.deadLetterQueueUrl,
        Entries: messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
  }
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
