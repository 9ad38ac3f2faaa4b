import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../../functions/core/redaction/outcome';
import { SQS_LIMITS } from '../../../functions/core/config/aws-limits';
import { DEFAULT_RETRY_POLICY, decideAction, type AttemptContext } from '../../../functions/core/redaction/retry-policy';

const first: AttemptContext = { attempt: 1, ageSeconds: 5, credentialsRefreshed: false };
const always = (value: number) => () => value;

describe('Function: decideAction', () => {
  it.each<Outcome>([{ kind: 'redacted' }, { kind: 'already-redacted' }, { kind: 'not-found', code: '20404' }])(
    'acks $kind',
    (outcome) => {
      expect(decideAction(outcome, first)).toEqual({ type: 'ack' });
    },
  );

  it('dead-letters a rejection with its provider code', () => {
    expect(decideAction({ kind: 'rejected', code: '21610', reason: 'x' }, first)).toEqual({
      type: 'dead-letter',
      reason: 'rejected',
      code: '21610',
    });
  });

  it('dead-letters a 404 that is not the provider\'s own as a config problem, never acks it', () => {
    expect(decideAction({ kind: 'misconfigured', code: 'http-404', reason: 'x' }, first)).toEqual({ type: 'dead-letter', reason: 'config', code: 'http-404' });
  });

  it('refreshes credentials once on auth, then dead-letters', () => {
    expect(decideAction({ kind: 'auth', code: '20003' }, first)).toEqual({ type: 'refresh-credentials' });
    expect(decideAction({ kind: 'auth', code: '20003' }, { ...first, credentialsRefreshed: true })).toEqual({
      type: 'dead-letter',
      reason: 'auth',
      code: '20003',
    });
  });

  it('backs off transient failures exponentially with full jitter, capped', () => {
    const delays = [1, 2, 3, 4, 5, 20].map(
      (attempt) => decideAction({ kind: 'transient', code: 'http-503' }, { ...first, attempt }, DEFAULT_RETRY_POLICY, always(1)),
    );
    expect(delays).toEqual([2, 4, 8, 16, 32, 3_600].map((delaySeconds) => ({ type: 'retry', delaySeconds })));
    // Full jitter: a random draw of 0.25 waits a quarter of the ceiling (never below one second).
    expect(decideAction({ kind: 'transient', code: 'x' }, { ...first, attempt: 5 }, DEFAULT_RETRY_POLICY, always(0.25))).toEqual({ type: 'retry', delaySeconds: 8 });
    expect(decideAction({ kind: 'transient', code: 'x' }, first, DEFAULT_RETRY_POLICY, always(0))).toEqual({ type: 'retry', delaySeconds: 1 });
  });

  it('waits at least Retry-After when throttled', () => {
    expect(decideAction({ kind: 'throttled', retryAfterSeconds: 30 }, first, DEFAULT_RETRY_POLICY, always(1))).toEqual({ type: 'retry', delaySeconds: 30 });
    expect(decideAction({ kind: 'throttled' }, { ...first, attempt: 4 }, DEFAULT_RETRY_POLICY, always(1))).toEqual({ type: 'retry', delaySeconds: 16 });
  });

  it('never asks SQS for more than its 12-hour visibility limit', () => {
    expect(decideAction({ kind: 'throttled', retryAfterSeconds: 999_999 }, first, DEFAULT_RETRY_POLICY, always(1))).toEqual({ type: 'retry', delaySeconds: SQS_LIMITS.maxTotalVisibilitySeconds });
  });

  it('waits minutes, growing and capped, while the message is not final', () => {
    const delays = [1, 2, 3, 10].map((attempt) =>
      decideAction({ kind: 'not-final', code: '20009' }, { ...first, attempt }, DEFAULT_RETRY_POLICY, always(1)),
    );
    expect(delays).toEqual([60, 120, 240, 21_600].map((delaySeconds) => ({ type: 'retry', delaySeconds })));
  });

  it('gives up on a retryable outcome once the job is older than the maximum age', () => {
    const old = { ...first, ageSeconds: DEFAULT_RETRY_POLICY.maxAgeSeconds };
    expect(decideAction({ kind: 'not-final', code: '20009' }, old)).toEqual({ type: 'dead-letter', reason: 'gave-up', code: '20009' });
    expect(decideAction({ kind: 'throttled' }, old)).toEqual({ type: 'dead-letter', reason: 'gave-up', code: 'throttled' });
  });

  it('gives up at maxAttempts, before SQS redrive would move the job without a reason', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 5 };
    expect(decideAction({ kind: 'transient', code: 'http-503' }, { ...first, attempt: 4 }, policy, always(1))).toEqual({ type: 'retry', delaySeconds: 16 });
    expect(decideAction({ kind: 'transient', code: 'http-503' }, { ...first, attempt: 5 }, policy, always(1))).toEqual({ type: 'dead-letter', reason: 'gave-up', code: 'http-503' });
  });
});
