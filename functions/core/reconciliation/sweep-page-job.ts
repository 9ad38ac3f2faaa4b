import * as z from 'zod/mini';
import { parseQueueMessage, type ParsedQueueMessage } from '../redaction/queue-message';

/**
 * Held bodies an audit carries by id from page to page (and into its report); past it, they are
 * counted. Bounded so the page job stays inside SQS's 256 KiB with the longest ids and statuses the
 * schema allows and two years of per-day figures.
 */
export const AUDIT_HELD_ROWS_LIMIT = 500;

/** Sweep page message schema version; bump on an incompatible change and keep reading the old one. */
export const SWEEP_PAGE_JOB_VERSION = 1;

const isoDate = z.iso.datetime();

/** Counts carried from page to page, so the last page can report the whole run. */
export const SweepTotalsSchema = z.strictObject({
  pages: z.number().check(z.int(), z.minimum(0)),
  listed: z.number().check(z.int(), z.minimum(0)),
  /** Messages to redact (enqueued, or counted only on a dry run), per provider status. */
  redact: z.record(z.string(), z.number().check(z.int(), z.minimum(0))),
  /** Messages left alone, per skip reason (and, in coverage runs, deferred per kind). */
  skipped: z.record(z.string(), z.number().check(z.int(), z.minimum(0))),
  /** Entries the provider returned, in the window or not. */
  scanned: z.optional(z.number().check(z.int(), z.minimum(0))),
});

export type SweepTotals = z.infer<typeof SweepTotalsSchema>;

/**
 * One page of one account's sweep, as a queue message: the run's window, where in the provider's
 * list to continue, and the counts so far. Ids, dates and the provider's page reference only.
 * A crashed run resumes from the last page whose job was sent, because each page is its own message.
 */
export const SweepPageJobSchema = z.strictObject({
  v: z.literal(SWEEP_PAGE_JOB_VERSION),
  /** Identifies the run in logs: `<route>:<window end>`. */
  runId: z.string().check(z.regex(/^[A-Za-z0-9_:.-]{1,200}$/)),
  route: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/)),
  /** The provider's list is read for messages created or sent in [listFrom, listTo). */
  listFrom: isoDate,
  listTo: isoDate,
  /** Messages due at or before this instant are redacted… */
  dueBy: isoDate,
  /** …and, when set, only those due after this one (earlier runs had the rest). */
  dueAfter: z.optional(isoDate),
  /** The provider's next-page reference; absent on the first page. */
  cursor: z.optional(z.string().check(z.maxLength(4096))),
  totals: SweepTotalsSchema,
  /** Set on the pages of an audit: what it has found so far (ids, statuses and instants only). */
  audit: z.optional(
    z.strictObject({
      clock: isoDate,
      /** Messages per audit state (`held` split by reason as `held:<reason>`). */
      counts: z.record(z.string(), z.number().check(z.int(), z.minimum(0))),
      /** Per UTC day of the list date: listed, redacted and held. */
      perDay: z.record(
        z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
        z.strictObject({ listed: z.number().check(z.int(), z.minimum(0)), redacted: z.number().check(z.int(), z.minimum(0)), held: z.number().check(z.int(), z.minimum(0)) }),
      ),
      held: z.array(
        z.strictObject({
          id: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/)),
          status: z.string().check(z.maxLength(64)),
          dueAt: isoDate,
          reason: z.enum(['due-not-redacted', 'provider-cannot-redact']),
        }),
      ).check(z.maxLength(AUDIT_HELD_ROWS_LIMIT)),
      /** Held bodies past the carried rows. */
      heldOverflow: z.number().check(z.int(), z.minimum(0)),
      /** Redaction jobs the audit enqueued (held bodies the pipeline can redact). */
      enqueued: z.number().check(z.int(), z.minimum(0)),
    }),
  ),
  /** Set on the pages of a checkpointed run: its bounds and which part of the run this page is. */
  coverage: z.optional(
    z.strictObject({
      phase: z.enum(['list', 'due', 'check']),
      /** Where the due or check phase goes on in the coverage store. */
      storeCursor: z.optional(z.string().check(z.maxLength(1024))),
      plan: z.strictObject({
        route: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/)),
        runId: z.string().check(z.regex(/^[A-Za-z0-9_:.-]{1,200}$/)),
        clock: isoDate,
        listFrom: isoDate,
        listTo: isoDate,
        dueBy: isoDate,
        dueFrom: isoDate,
        dueTo: isoDate,
        checkFrom: isoDate,
        checkTo: isoDate,
      }),
    }),
  ),
});

export type SweepPageJob = z.infer<typeof SweepPageJobSchema>;

export function emptyTotals(): SweepTotals {
  return { pages: 0, listed: 0, redact: {}, skipped: {} };
}

/** Adds a counted key to one of the totals' tallies. */
export function tally(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** How many messages the totals send (or would send) to redaction. */
export function redactCount(totals: SweepTotals): number {
  return Object.values(totals.redact).reduce((sum, n) => sum + n, 0);
}

export type ParsedSweepPageJob = ParsedQueueMessage<SweepPageJob>;

/** Parses a sweep queue message. A bad one is reported with the offending keys, never its content. */
export function parseSweepPageJob(body: string): ParsedSweepPageJob {
  return parseQueueMessage(SweepPageJobSchema, body, 'sweep page job');
}
