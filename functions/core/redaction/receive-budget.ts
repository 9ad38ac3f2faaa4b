import { SQS_LIMITS } from '../config/aws-limits';
import type { RetryPolicy } from './retry-policy';
import { VISIBILITY_SAFETY_MARGIN_SECONDS, lambdaReceiveLagSeconds } from './visibility-budget';

/** How the deployed redactor is invoked: what bounds the length of one waiting hop. */
export interface InvocationShape {
  readonly redactorTimeoutSeconds: number;
  readonly maxBatchingWindowSeconds: number;
  /** The redaction queue's visibility timeout (bounds how long before its invocation a batch was received). */
  readonly queueVisibilityTimeoutSeconds?: number;
}

/**
 * The shortest hop a waiting job makes per receive: SQS's 12 hours from the receive, less what the
 * redactor keeps back (safety margin, the event source's window and latency) and a whole invocation
 * of processing before the visibility change.
 */
export function shortestWaitingHopSeconds(shape: InvocationShape): number {
  return SQS_LIMITS.maxTotalVisibilitySeconds
    - VISIBILITY_SAFETY_MARGIN_SECONDS
    - lambdaReceiveLagSeconds(shape.maxBatchingWindowSeconds, shape.queueVisibilityTimeoutSeconds)
    - shape.redactorTimeoutSeconds;
}

/**
 * Receives a job spends waiting for its `notBefore` at most: the receiver's DelaySeconds covers the
 * first 15 minutes, then every receive before the time has come is one hop. Each counts against the
 * queue's `maxReceiveCount` like a failed attempt.
 */
export function receivesSpentWaiting(waitSeconds: number, shape: InvocationShape): number {
  if (waitSeconds <= SQS_LIMITS.maxDelaySeconds) return 0;
  return Math.ceil((waitSeconds - SQS_LIMITS.maxDelaySeconds) / shortestWaitingHopSeconds(shape));
}

/**
 * Receives the retry policy needs for its backoff to grow to its caps (transient and not-final):
 * a job that has waited must still have these left, or a short provider blip right after the wait
 * would end it `gave-up`.
 */
export function receivesForRetries(policy: RetryPolicy): number {
  const toCap = (base: number, cap: number) => Math.ceil(Math.log2(Math.max(1, cap / base))) + 1;
  return Math.max(
    toCap(policy.transientBaseSeconds, policy.transientCapSeconds),
    toCap(policy.notFinalBaseSeconds, policy.notFinalCapSeconds),
  );
}
