import * as z from 'zod/mini';
import { parseQueueMessage, type ParsedQueueMessage } from '../redaction/queue-message';

/**
 * Accounts one fan-out step starts: each is a conditional write and a queue send, so a step takes a
 * second or two and 10,000 accounts take 100 steps, none near Lambda's 15 minutes.
 */
export const FAN_OUT_ROUTES_PER_STEP = 100;

/** Accounts started at once within a step (DynamoDB and SQS calls in flight). */
export const FAN_OUT_CONCURRENCY = 10;

/**
 * The rest of one schedule's fan-out over every account, as a page-queue message: which run
 * (sweep or audit), the schedule's time (every account's run is planned on it) and the index of the
 * next account in config order. No ids but the routes' positions.
 */
export const FanOutJobSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('fan-out'),
  run: z.enum(['sweep', 'audit']),
  time: z.iso.datetime(),
  from: z.number().check(z.int(), z.minimum(0)),
});

export type FanOutJob = z.infer<typeof FanOutJobSchema>;

/** Parses a page-queue message that claims to be a fan-out step (`"kind":"fan-out"`). */
export function parseFanOutJob(body: string): ParsedQueueMessage<FanOutJob> {
  return parseQueueMessage(FanOutJobSchema, body, 'fan-out job');
}

/** Whether a page-queue message is a fan-out step rather than a run's page (cheap, before parsing). */
export function isFanOutMessage(body: string): boolean {
  try {
    return (JSON.parse(body) as { kind?: unknown } | null)?.kind === 'fan-out';
  } catch {
    return false;
  }
}
