import { describe, expect, it } from 'vitest';
import { SQS_LIMITS } from '../../../functions/core/config/aws-limits';
import { AUDIT_HELD_ROWS_LIMIT, emptyTotals, parseSweepPageJob, SWEEP_PAGE_JOB_VERSION, type SweepPageJob } from '../../../functions/core/reconciliation/sweep-page-job';

describe('Audit page job: size', () => {
  it('fits one SQS message at its largest: every held row carried, the longest ids and statuses, two years of days', () => {
    const day = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    const job: SweepPageJob = {
      v: SWEEP_PAGE_JOB_VERSION,
      runId: `${'r'.repeat(128)}:audit:2026-12-04T00:00:00.000Z`,
      route: 'r'.repeat(128),
      listFrom: '2025-01-01T00:00:00.000Z',
      listTo: '2026-12-04T00:00:00.000Z',
      dueBy: '2026-12-03T23:45:00.000Z',
      cursor: `/${'c'.repeat(4095)}`,
      totals: { ...emptyTotals(), pages: 99_999, listed: 99_999_999, scanned: 99_999_999 },
      audit: {
        clock: '2026-12-04T00:00:00.000Z',
        counts: { redacted: 99_999_999, 'within-retention': 99_999_999, 'not-final': 99_999_999, unverifiable: 99_999_999, held: 99_999_999, 'held:due-not-redacted': 99_999_999, 'held:provider-cannot-redact': 99_999_999 },
        perDay: Object.fromEntries(Array.from({ length: 800 }, (_, i) => [day(i), { listed: 9_999_999, redacted: 9_999_999, held: 9_999_999 }])),
        held: Array.from({ length: AUDIT_HELD_ROWS_LIMIT }, (_, i) => ({ id: `${i}`.padStart(128, 'x'), status: 's'.repeat(64), dueAt: '2026-12-03T23:45:00.000Z', reason: 'provider-cannot-redact' as const })),
        heldOverflow: 99_999_999,
        enqueued: 99_999_999,
      },
    };
    const body = JSON.stringify(job);
    expect(parseSweepPageJob(body).ok).toBe(true);
    expect(Buffer.byteLength(body)).toBeLessThan(SQS_LIMITS.maxMessageBytes);
  });
});
