import { SQS_LIMITS } from '../config/aws-limits';

/**
 * Kept back from SQS's 12-hour limit on every ChangeMessageVisibility: our clock and SQS's may
 * differ, and the request itself takes time to arrive.
 */
export const VISIBILITY_SAFETY_MARGIN_SECONDS = 60;

/**
 * Lambda does not say when its event source received a record. It is received at most the
 * batching window before the invocation starts, plus the event source's own latency (init, invoke
 * retries): this margin covers that latency generously, at the cost of a slightly shorter first hop.
 */
export const EVENT_SOURCE_LATENCY_MARGIN_SECONDS = 300;

/**
 * The longest a Lambda batch may have been received before its invocation starts: the batching
 * window plus {@link EVENT_SOURCE_LATENCY_MARGIN_SECONDS}, or the queue's visibility timeout when
 * that is longer (a throttled event source keeps retrying the invoke until the batch would become
 * visible again).
 */
export function lambdaReceiveLagSeconds(maxBatchingWindowSeconds: number, queueVisibilityTimeoutSeconds = 0): number {
  return Math.max(maxBatchingWindowSeconds + EVENT_SOURCE_LATENCY_MARGIN_SECONDS, queueVisibilityTimeoutSeconds);
}

/** A time no later than the ReceiveMessage that delivered a Lambda batch (see {@link lambdaReceiveLagSeconds}). */
export function lambdaBatchReceivedBound(invocationStart: Date, maxBatchingWindowSeconds: number, queueVisibilityTimeoutSeconds = 0): Date {
  return new Date(invocationStart.getTime() - lambdaReceiveLagSeconds(maxBatchingWindowSeconds, queueVisibilityTimeoutSeconds) * 1000);
}

/**
 * The longest visibility timeout a ChangeMessageVisibility may ask for at `now`: SQS counts the
 * 12-hour limit from the receive (`receivedAt`, or a bound no later than it), not from the change.
 * Never negative; 0 makes the record visible at once, and its next receive starts a new 12 hours.
 */
export function remainingVisibilitySeconds(receivedAt: Date, now: Date): number {
  const elapsed = Math.ceil(Math.max(0, now.getTime() - receivedAt.getTime()) / 1000);
  return Math.max(0, SQS_LIMITS.maxTotalVisibilitySeconds - elapsed - VISIBILITY_SAFETY_MARGIN_SECONDS);
}

/** A wanted delay cut to what the record's receive still allows; a longer wait continues on the next receive. */
export function legalVisibilitySeconds(wantedSeconds: number, receivedAt: Date, now: Date): number {
  return Math.min(Math.max(0, Math.round(wantedSeconds)), remainingVisibilitySeconds(receivedAt, now));
}
