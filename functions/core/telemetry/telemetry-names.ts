/**
 * Log event names, metric names and metric dimensions: one list shared by the functions (which write
 * them) and the CDK construct (whose alarms and dashboard read them), so neither retypes a string.
 * Kept free of imports so the construct loads no handler code at synth.
 */

/** CloudWatch namespace of the functions' embedded-metric-format (EMF) metrics. */
export const METRIC_NAMESPACE = 'MessageRedactor';

/** The `event` of every log line the functions write. */
export const LOG_EVENTS = {
  callbackAccepted: 'callback.accepted',
  callbackIgnored: 'callback.ignored',
  callbackRefused: 'callback.refused',
  callbackFailed: 'callback.failed',
  redactionDone: 'redaction.done',
  redactionNotFound: 'redaction.not-found',
  redactionRetry: 'redaction.retry',
  redactionDeferred: 'redaction.deferred',
  redactionDeadLettered: 'redaction.dead-lettered',
  redactionCrashed: 'redaction.crashed',
  jobInvalid: 'job.invalid',
  jobUnroutable: 'job.unroutable',
  deadLetterFailed: 'dead-letter.failed',
  secretMalformed: 'secret.malformed',
  secretUnavailable: 'secret.unavailable',
  visibilityChangeFailed: 'visibility.change-failed',
  sweepStarted: 'sweep.started',
  sweepPage: 'sweep.page',
  sweepCompleted: 'sweep.completed',
  sweepPageFailed: 'sweep.page-failed',
  sweepPageError: 'sweep.page-error',
  sweepInvalidPageJob: 'sweep.invalid-page-job',
  sweepBadScheduleEvent: 'sweep.bad-schedule-event',
  /** A scheduled run found its route held by a run whose lease has not run out: the next one covers its slice. */
  sweepRunBusy: 'sweep.run-busy',
  /** A run's page found another run holding its route (its lease ran out): it stops, the other covers. */
  sweepRunSuperseded: 'sweep.run-superseded',
  /** A run stopped before its end (page limit, a repeating cursor, a clock ahead of the provider's). */
  sweepRunStopped: 'sweep.run-stopped',
  auditPage: 'audit.page',
  /** One line per held reason at the end of a route's audit, with its count (zero included). */
  auditHeld: 'audit.held',
  auditCompleted: 'audit.completed',
  auditBadScheduleEvent: 'audit.bad-schedule-event',
} as const;

export type LogEvent = (typeof LOG_EVENTS)[keyof typeof LOG_EVENTS];

/** Metric names in {@link METRIC_NAMESPACE}. */
export const METRICS = {
  /** Terminal callbacks that enqueued a redaction job (200). */
  callbacksAccepted: 'CallbacksAccepted',
  /** Authentic callbacks with nothing to do yet (204: not final, or served by the sweep). */
  callbacksIgnored: 'CallbacksIgnored',
  /**
   * Authentic callbacks verified by a secret's previous key (`previousAuthToken`, `previousSigningKey`…):
   * once it stays at zero, the provider has switched and the previous key can be removed.
   */
  callbacksByPreviousKey: 'CallbacksByPreviousKey',
  /** Callbacks refused with a 4xx, by `reason` (see {@link REFUSAL_REASONS}). */
  callbacksRefused: 'CallbacksRefused',
  /** Callbacks answered with a 5xx (queue or secret unavailable, bad deployment). */
  callbackServerErrors: 'CallbackServerErrors',
  /** Redaction attempts that ended the job, by `outcome` (redacted, already-redacted, not-found). */
  redactionOutcomes: 'RedactionOutcomes',
  /** Retries scheduled (transient, throttled, not final yet); waiting for `notBefore` is not one. */
  redactionRetries: 'RedactionRetries',
  /** Records the redactor failed on with a bug (not a provider answer): SQS redrives them after maxReceiveCount. */
  redactionCrashes: 'RedactionCrashes',
  /** Jobs the redactor parked in the dead-letter queue, by `reason` (DeadLetterReason). */
  deadLetters: 'DeadLetters',
  /** Milliseconds from the terminal callback (the job's receivedAt) to the body redacted (dimension outcome=redacted). */
  timeToRedact: 'TimeToRedact',
  /** Bodies redacted from a job the sweep enqueued: what callbacks alone would have missed (outcome=redacted). */
  recoveredBySweep: 'RecoveredBySweep',
  /** Messages the sweep listed at the provider. */
  sweepListed: 'SweepListed',
  /** Redaction jobs the sweep enqueued. */
  sweepEnqueued: 'SweepEnqueued',
  /** Sweep pages that failed at the provider and will be retried. */
  sweepPagesFailed: 'SweepPagesFailed',
  /** Entries the provider returned for a page, in the run's window or not (day filters over-read). */
  sweepScanned: 'SweepScanned',
  /** Runs that stopped before their end, by `reason`: their slice stays uncovered until a run completes. */
  sweepRunsStopped: 'SweepRunsStopped',
  /** Scheduled runs that found their route busy, and runs superseded by a later one. */
  sweepRunsBusy: 'SweepRunsBusy',
  /** Runs that finished and advanced their route's checkpoint. */
  sweepRunsCompleted: 'SweepRunsCompleted',
  /**
   * Bodies the audit found at the provider past their retention, by `reason`: `due-not-redacted`
   * (alarmed: the pipeline could have redacted them; the audit enqueued them) or
   * `provider-cannot-redact` (the provider offers no way; counted, never alarmed).
   */
  bodiesHeldPastRetention: 'BodiesHeldPastRetention',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/**
 * The metrics alarms fire on. The logger writes each of their points at once, on its own line,
 * whatever the line's level: the routine counts it sums per environment may arrive late or, when an
 * environment ends, not at all (a rate alarm may use them only as the denominator).
 */
export const ALARM_SIGNAL_METRICS: ReadonlySet<MetricName> = new Set([
  METRICS.callbacksRefused,
  METRICS.callbackServerErrors,
  METRICS.redactionRetries,
  METRICS.redactionCrashes,
  METRICS.deadLetters,
  METRICS.sweepPagesFailed,
  METRICS.sweepRunsStopped,
  METRICS.bodiesHeldPastRetention,
]);

/** Dimension names. Values come from the log line's fields of the same name. */
export const METRIC_DIMENSIONS = {
  provider: 'provider',
  route: 'route',
  reason: 'reason',
  outcome: 'outcome',
} as const;

/** The dead-letter reason that is expected, not a failure: the provider's API cannot blank a body (CarrierX). */
export const EXPECTED_DEAD_LETTER_REASON = 'provider-cannot-redact';

/** Every other dead-letter reason (DeadLetterReason less the expected one): each is a failure to look at. */
export const FAILURE_DEAD_LETTER_REASONS = ['rejected', 'auth', 'gave-up', 'invalid-job', 'unknown-route', 'config'] as const;

/** The outcomes that end a redaction job with an ack (the `outcome` dimension of RedactionOutcomes). */
export const ACKED_OUTCOMES = ['redacted', 'already-redacted', 'not-found'] as const;

/**
 * Why a callback was refused, by HTTP status: the `reason` of `callback.refused` lines and the
 * CallbacksRefused metric. 401/403 mean the provider's signature or token did not verify: almost
 * always a wrong secret or a callback URL that differs from the one signed.
 */
export const REFUSAL_REASONS = {
  400: 'malformed',
  401: 'unauthenticated',
  403: 'bad-signature',
  404: 'unknown-route',
  405: 'not-post',
  413: 'too-large',
  415: 'unsupported-media-type',
} as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[keyof typeof REFUSAL_REASONS];

/** The refusal reasons that point at a misconfiguration (secret or URL) rather than at a stranger. */
export const MISCONFIGURATION_REFUSALS: readonly RefusalReason[] = ['unauthenticated', 'bad-signature'];

/** Maps a 4xx status to its refusal reason (`other-4xx` for one not listed). */
export function refusalReason(httpStatus: number): RefusalReason | 'other-4xx' {
  return (REFUSAL_REASONS as Record<number, RefusalReason>)[httpStatus] ?? 'other-4xx';
}
