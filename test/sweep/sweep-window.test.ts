import { describe, expect, it } from 'vitest';
import { parseAccounts, type AccountConfigInput } from '../../functions/core/config';
import { decideListedMessage } from '../../functions/core/listed-message-decision';
import type { ListedMessage } from '../../functions/core/listed-message';
import { DEFAULT_SWEEP_SCHEDULE, backfillJob, scheduledRunJob } from '../../functions/core/sweep-window';

const account = (overrides: Partial<AccountConfigInput> = {}) =>
  parseAccounts([{ route: 'r1', provider: 'twilio', secretId: 's', ...overrides } as AccountConfigInput])[0]!;
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-30T12:00:00Z');

describe('Function: scheduledRunJob', () => {
  it('gives consecutive runs contiguous, disjoint slices of due times', () => {
    const a = scheduledRunJob(account(), new Date(T0), DEFAULT_SWEEP_SCHEDULE);
    const b = scheduledRunJob(account(), new Date(T0 + HOUR), DEFAULT_SWEEP_SCHEDULE);
    expect(b.dueAfter).toBe(a.dueBy);
    // 12:00 less the 15-minute settle time, aligned down to the whole hour.
    expect(a.dueBy).toBe('2026-11-30T11:00:00.000Z');
    expect(a.runId).toBe(`r1:${a.dueBy}`);
  });

  it('takes the same aligned slice however late, early or often the schedule delivers a run', () => {
    const onTime = scheduledRunJob(account(), new Date(T0 + 20 * 60_000), DEFAULT_SWEEP_SCHEDULE);
    for (const minutes of [15, 16, 40, 74]) {
      expect(scheduledRunJob(account(), new Date(T0 + minutes * 60_000), DEFAULT_SWEEP_SCHEDULE)).toEqual(onTime);
    }
    // The next interval takes the next slice, with no gap in between.
    expect(scheduledRunJob(account(), new Date(T0 + 80 * 60_000), DEFAULT_SWEEP_SCHEDULE).dueAfter).toBe(onTime.dueBy);
  });

  it.each([
    { name: 'no retention', overrides: {} },
    { name: 'a 30-day retention', overrides: { redactAfterSeconds: 30 * 86_400 } },
    { name: 'a sent-age rule', overrides: { sentAgeSeconds: 86_400 } },
  ])('lists every message that one run of its slice must redact, with $name', ({ overrides }) => {
    // Each message, sent at some time and final up to the late-status allowance after, is redacted by
    // exactly one run of a day of hourly runs, and each run's list window holds it.
    const acct = account(overrides);
    const runs = Array.from({ length: 24 * 40 }, (_, i) => scheduledRunJob(acct, new Date(T0 + i * HOUR), DEFAULT_SWEEP_SCHEDULE));
    const firstDue = Date.parse(runs[0]!.dueBy);
    const lastDue = Date.parse(runs.at(-1)!.dueBy);
    let checked = 0;
    for (let n = 0; n < 500; n++) {
      const sentAt = T0 - 35 * 86_400 * 1000 + n * 7_919_000;
      const lateBy = (n % 7) * 6 * HOUR; // up to 36 h: inside the 48 h allowance
      const status = overrides.sentAgeSeconds ? 'sent' : 'delivered';
      const message: ListedMessage = { id: `m${n}`, status, createdAt: new Date(sentAt), sentAt: new Date(sentAt), updatedAt: new Date(sentAt + (status === 'sent' ? 0 : lateBy)), hasBody: true, mediaCount: 0, inbound: false };
      const takers = runs.filter((run) => {
        const inList = sentAt >= Date.parse(run.listFrom) && sentAt < Date.parse(run.listTo);
        return inList && decideListedMessage(message, acct, { now: new Date(run.dueBy), dueAfter: new Date(run.dueAfter!) }).kind === 'redact';
      });
      const due = decideListedMessage(message, acct, { now: new Date(8e15) });
      if (due.kind !== 'redact' || due.dueAt.getTime() <= firstDue || due.dueAt.getTime() > lastDue) continue;
      expect(takers.map((run) => run.runId), `message ${n}`).toHaveLength(1);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe('Function: backfillJob', () => {
  it('takes everything created in the window that is due by now, less the settle time', () => {
    const job = backfillJob(account(), new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'), new Date(T0), DEFAULT_SWEEP_SCHEDULE);
    expect(job).toMatchObject({ listFrom: '2026-01-01T00:00:00.000Z', listTo: '2026-02-01T00:00:00.000Z', dueBy: new Date(T0 - 900_000).toISOString() });
    expect(job.dueAfter).toBeUndefined();
  });
});
