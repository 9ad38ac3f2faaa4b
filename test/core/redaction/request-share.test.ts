import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CONCURRENT_REQUESTS, requestShare, shareProblem } from '../../../functions/core/redaction/request-share';

describe('Function: requestShare', () => {
  it.each([
    { limit: 50, maxConcurrency: 5, share: 10 },
    { limit: 100, maxConcurrency: 3, share: 33 },
    { limit: 20, maxConcurrency: 20, share: 1 },
    { limit: 10, maxConcurrency: 4, share: 2 },
  ])('gives each of $maxConcurrency invocations $share of $limit', ({ limit, maxConcurrency, share }) => {
    expect(requestShare(limit, maxConcurrency)).toBe(share);
  });

  it('never lets the invocations together exceed the account limit', () => {
    const violations: string[] = [];
    for (let limit = 1; limit <= 200; limit++) {
      for (let maxConcurrency = 2; maxConcurrency <= limit; maxConcurrency++) {
        const share = requestShare(limit, maxConcurrency);
        if (share < 1 || share * maxConcurrency > limit) violations.push(`${limit}/${maxConcurrency} → ${share}`);
      }
    }
    expect(violations).toEqual([]);
  });
});

describe('Function: shareProblem', () => {
  it('accepts a limit of at least maxConcurrency', () => {
    expect(shareProblem('twilio-main', 5, 5)).toBeUndefined();
  });

  it('refuses a limit below maxConcurrency, naming both numbers', () => {
    expect(shareProblem('carrierx-main', 10, 12)).toBe(
      'account carrierx-main: maxConcurrentRequests (10) is below maxConcurrency (12), so each of the 12 concurrent '
      + 'redactor invocations would get less than one request; raise maxConcurrentRequests to at least 12 or lower maxConcurrency',
    );
  });

  it('accepts every provider default with the construct default of 5 invocations', () => {
    for (const limit of Object.values(DEFAULT_MAX_CONCURRENT_REQUESTS)) expect(shareProblem('r', limit, 5)).toBeUndefined();
  });
});
