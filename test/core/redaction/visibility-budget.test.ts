import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY } from '../../../functions/core/redaction/retry-policy';
import { receivesForRetries, receivesSpentWaiting, shortestWaitingHopSeconds } from '../../../functions/core/redaction/receive-budget';
import { lambdaBatchReceivedBound, legalVisibilitySeconds, remainingVisibilitySeconds } from '../../../functions/core/redaction/visibility-budget';

const RECEIVED = new Date('2026-11-30T00:00:00Z');
const after = (seconds: number) => new Date(RECEIVED.getTime() + seconds * 1000);

describe('Function: remainingVisibilitySeconds', () => {
  it('counts 12 hours from the receive, less a 60 s safety margin', () => {
    expect(remainingVisibilitySeconds(RECEIVED, RECEIVED)).toBe(43_140);
    expect(remainingVisibilitySeconds(RECEIVED, after(100.2))).toBe(43_039);
    expect(remainingVisibilitySeconds(RECEIVED, after(43_200))).toBe(0);
  });

  it('cuts a wanted delay to what is left and keeps shorter ones', () => {
    expect(legalVisibilitySeconds(604_800, RECEIVED, after(90))).toBe(43_050);
    expect(legalVisibilitySeconds(45, RECEIVED, after(90))).toBe(45);
  });

  it('bounds a Lambda batch receive by the batching window and the event source latency margin', () => {
    expect(lambdaBatchReceivedBound(after(1_000), 20)).toEqual(after(1_000 - 20 - 300));
  });

  it('bounds it by the queue visibility timeout when that is longer: a throttled invoke may start that late', () => {
    // redactorTimeout 5 min: the construct's queue visibility is 30 min.
    expect(lambdaBatchReceivedBound(after(5_000), 0, 1_800)).toEqual(after(5_000 - 1_800));
    expect(shortestWaitingHopSeconds({ redactorTimeoutSeconds: 300, maxBatchingWindowSeconds: 0, queueVisibilityTimeoutSeconds: 1_800 })).toBe(43_200 - 60 - 1_800 - 300);
  });
});

describe('Function: receivesSpentWaiting', () => {
  const shape = { redactorTimeoutSeconds: 30, maxBatchingWindowSeconds: 0 };

  it('spends no receive on a wait the receiver delay covers, then one per shortest hop', () => {
    expect(shortestWaitingHopSeconds(shape)).toBe(43_200 - 60 - 300 - 30);
    expect(receivesSpentWaiting(900, shape)).toBe(0);
    expect(receivesSpentWaiting(901, shape)).toBe(1);
    expect(receivesSpentWaiting(43_200, shape)).toBe(1);
    expect(receivesSpentWaiting(604_800, shape)).toBe(15);
  });

  it('reserves the receives the default backoff needs to reach its caps', () => {
    // Transient: 2 s doubling to the 1 h cap takes 12 attempts; not-final: 60 s to 6 h takes 10.
    expect(receivesForRetries(DEFAULT_RETRY_POLICY)).toBe(12);
  });
});
