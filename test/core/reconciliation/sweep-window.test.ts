import { describe, expect, it } from 'vitest';
import { parseAccounts, type AccountConfigInput } from '../../../functions/core/config/config';
import { DEFAULT_SWEEP_SCHEDULE, backfillJob } from '../../../functions/core/reconciliation/sweep-window';

const account = (overrides: Partial<AccountConfigInput> = {}) =>
  parseAccounts([{ route: 'r1', provider: 'twilio', secretId: 's', ...overrides } as AccountConfigInput])[0]!;
const T0 = Date.parse('2026-11-30T12:00:00Z');

describe('Function: backfillJob', () => {
  it('takes everything created in the window that is due by now, less the settle time', () => {
    const job = backfillJob(account(), new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'), new Date(T0), DEFAULT_SWEEP_SCHEDULE);
    expect(job).toMatchObject({ listFrom: '2026-01-01T00:00:00.000Z', listTo: '2026-02-01T00:00:00.000Z', dueBy: new Date(T0 - 900_000).toISOString() });
    expect(job.dueAfter).toBeUndefined();
  });
});
