import * as z from 'zod/mini';
import { PROVIDER_NAMES } from '../provider-rules/provider-name';
import type { StatusEvent } from '../callbacks/status-event';
import { parseQueueMessage, type ParsedQueueMessage } from './queue-message';

/** Queue message schema version; bump on an incompatible change and keep reading the old one. */
export const REDACTION_JOB_VERSION = 1;

/**
 * The queue message: ids and status only, never a body, number, token or signature. Small, so a
 * SendMessage stays far under the 256 KiB limit and costs one request unit.
 */
export const RedactionJobSchema = z.strictObject({
  v: z.literal(REDACTION_JOB_VERSION),
  provider: z.enum(PROVIDER_NAMES),
  route: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/)),
  messageId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/)),
  status: z.string().check(z.regex(/^[a-z_-]{1,40}$/)),
  /** ISO-8601 time the terminal callback was accepted; the job's age is measured from it. */
  receivedAt: z.iso.datetime(),
  /** ISO-8601 time before which the redaction must not happen (`redactAfterSeconds`, `sentAgeSeconds`). */
  notBefore: z.optional(z.iso.datetime()),
  /** The message has media (MMS). */
  media: z.optional(z.boolean()),
  /** Set when the reconciliation sweep found the message in the provider's list (no callback announced it). */
  origin: z.optional(z.literal('sweep')),
});

export type RedactionJob = z.infer<typeof RedactionJobSchema>;

/** Builds the job for an accepted terminal event. */
export function buildRedactionJob(event: StatusEvent, now: Date, afterSeconds: number): RedactionJob {
  return {
    v: REDACTION_JOB_VERSION,
    provider: event.provider,
    route: event.route,
    messageId: event.messageId,
    status: event.status,
    receivedAt: now.toISOString(),
    ...(afterSeconds > 0 ? { notBefore: new Date(now.getTime() + afterSeconds * 1000).toISOString() } : {}),
    ...(event.hasMedia ? { media: true } : {}),
  };
}

/**
 * A job from reconciliation (a sweep run, a backfill, the audit): the message as the provider's list
 * showed it, to redact now.
 */
export function reconciliationJob(
  account: { readonly provider: RedactionJob['provider']; readonly route: string },
  message: { readonly messageId: string; readonly status: string; readonly media: boolean },
  receivedAt: string,
): RedactionJob {
  return {
    v: REDACTION_JOB_VERSION,
    provider: account.provider,
    route: account.route,
    messageId: message.messageId,
    status: message.status,
    receivedAt,
    ...(message.media ? { media: true } : {}),
    origin: 'sweep',
  };
}

export type ParsedJob = ParsedQueueMessage<RedactionJob>;

/** Parses a queue message body. A bad one is reported with the offending keys, never its content. */
export function parseRedactionJob(body: string): ParsedJob {
  return parseQueueMessage(RedactionJobSchema, body, 'job');
}
