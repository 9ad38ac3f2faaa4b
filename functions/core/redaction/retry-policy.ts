import { SQS_LIMITS } from '../config/aws-limits';
import { DeadlineExceededError } from '../runtime/errors';
import type { Outcome } from './outcome';

/** How long to wait before the next attempt, per class of failure. All values in seconds. */
export interface RetryPolicy {
  /** First backoff for transient failures; doubles per attempt, with full jitter. */
  readonly transientBaseSeconds: number;
  readonly transientCapSeconds: number;
  /** First wait while the provider says the message is not final yet; doubles per attempt. */
  readonly notFinalBaseSeconds: number;
  readonly notFinalCapSeconds: number;
  /**
   * A job older than this is dead-lettered as `gave-up` instead of retried. Must stay below the
   * queue's retention period minus one maximal visibility timeout, or SQS would drop the message.
   */
  readonly maxAgeSeconds: number;
  /**
   * Deliveries after which a still-failing job is dead-lettered as `gave-up`. Set to the queue's
   * `maxReceiveCount`, so the redactor parks the job with its reason before SQS's redrive would
   * move it there without one. Receives spent waiting for `notBefore` count too: SQS's redrive counts
   * every receive, so leaving them out would let the redrive win (synth checks that the longest wait
   * leaves enough receives for retries).
   */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  transientBaseSeconds: 2,
  // An hour at most: after a dozen failures in a row the provider is down, not blipping, and the
  // default 100 deliveries then ride out about two days of outage before `gave-up`.
  transientCapSeconds: 60 * 60,
  notFinalBaseSeconds: 60,
  notFinalCapSeconds: 6 * 60 * 60,
  // Queue retention is 14 days; 13 days + one 12 h visibility timeout still fits inside it.
  maxAgeSeconds: 13 * 24 * 60 * 60,
  maxAttempts: 100,
};

/** What the redactor does with a record after an attempt. */
export type Action =
  | { readonly type: 'ack' }
  | { readonly type: 'retry'; readonly delaySeconds: number }
  | { readonly type: 'refresh-credentials' }
  | { readonly type: 'dead-letter'; readonly reason: DeadLetterReason; readonly code?: string };

/** Why a job ended in the DLQ. Stable strings: alarms, the DLQ CLI and runbooks filter on them. */
export type DeadLetterReason =
  | 'rejected'
  | 'provider-cannot-redact'
  | 'auth'
  | 'gave-up'
  | 'invalid-job'
  | 'unknown-route'
  | 'config';

export interface AttemptContext {
  /** 1 for the first delivery of the record (SQS ApproximateReceiveCount). */
  readonly attempt: number;
  /** Seconds since the terminal callback was accepted. */
  readonly ageSeconds: number;
  /** Whether credentials were already refreshed for this attempt. */
  readonly credentialsRefreshed: boolean;
}

/**
 * Maps an outcome to the action the redactor takes. Pure: randomness is passed in so the jitter
 * is testable.
 */
export function decideAction(
  outcome: Outcome,
  context: AttemptContext,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): Action {
  switch (outcome.kind) {
    case 'redacted':
    case 'already-redacted':
    case 'not-found':
      return { type: 'ack' };
    case 'rejected':
      return { type: 'dead-letter', reason: 'rejected', code: outcome.code };
    case 'misconfigured':
      return { type: 'dead-letter', reason: 'config', code: outcome.code };
    case 'cannot-redact':
      return { type: 'dead-letter', reason: 'provider-cannot-redact', code: outcome.code };
    case 'auth':
      return context.credentialsRefreshed
        ? { type: 'dead-letter', reason: 'auth', ...(outcome.code ? { code: outcome.code } : {}) }
        : { type: 'refresh-credentials' };
    case 'transient':
    case 'throttled':
    case 'not-final': {
      if (context.ageSeconds >= policy.maxAgeSeconds || context.attempt >= policy.maxAttempts) {
        const code = outcome.code ?? outcome.kind;
        return { type: 'dead-letter', reason: 'gave-up', code };
      }
      return { type: 'retry', delaySeconds: retryDelaySeconds(outcome, context.attempt, policy, random) };
    }
  }
}

function retryDelaySeconds(
  outcome: Extract<Outcome, { kind: 'transient' | 'throttled' | 'not-final' }>,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): number {
  // Stopped at the invocation's deadline, not failed: a fresh invocation can carry on at once.
  if (outcome.kind === 'transient' && outcome.code === DeadlineExceededError.CODE) return 1;
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  if (outcome.kind === 'not-final') {
    // Messages usually settle within minutes; wait long, with a little jitter to spread the herd.
    const ceiling = Math.min(policy.notFinalCapSeconds, policy.notFinalBaseSeconds * 2 ** exponent);
    return clampVisibility(Math.ceil(ceiling * (0.8 + 0.2 * random())));
  }
  // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter").
  const ceiling = Math.min(policy.transientCapSeconds, policy.transientBaseSeconds * 2 ** exponent);
  const backoff = Math.ceil(ceiling * random());
  const floor = outcome.kind === 'throttled' ? (outcome.retryAfterSeconds ?? 0) : 0;
  return clampVisibility(Math.max(backoff, floor, 1));
}

/** No single delay beyond one visibility period; the redactor clamps it further to what is left of it. */
function clampVisibility(seconds: number): number {
  return Math.min(Math.max(Math.round(seconds), 0), SQS_LIMITS.maxTotalVisibilitySeconds);
}
