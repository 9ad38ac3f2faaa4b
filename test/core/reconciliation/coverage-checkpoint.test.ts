import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAccounts, type AccountConfigInput } from '../../../functions/core/config/config';
import {
  busyLease,
  claimedCheckpoint,
  completedCheckpoint,
  planCoverageRun,
  type CoverageCheckpoint,
} from '../../../functions/core/reconciliation/coverage-checkpoint';
import { decideCoverage } from '../../../functions/core/reconciliation/deferred-message';
import type { ListedMessage } from '../../../functions/core/reconciliation/listed-message';
import { DEFAULT_SWEEP_SCHEDULE, type SweepSchedule } from '../../../functions/core/reconciliation/sweep-window';

const account = (overrides: Partial<AccountConfigInput> = {}) =>
  parseAccounts([{ route: 'r1', provider: 'twilio', secretId: 's', ...overrides } as AccountConfigInput])[0]!;
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-30T12:00:00Z');

describe('Function: planCoverageRun', () => {
  it('starts each run where the last finished one stopped, whatever the settings, the gaps between runs or the retention', () => {
    const step = fc.record({
      afterMs: fc.integer({ min: 0, max: 30 * HOUR }),
      intervalSeconds: fc.constantFrom(900, 1800, 3600, 7200, 86_400),
      settleSeconds: fc.constantFrom(0, 300, 900, 2700, 7200),
      redactAfterSeconds: fc.constantFrom(0, 3600, 86_400, 5 * 86_400, 30 * 86_400),
      completes: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 2, maxLength: 40 }), (steps) => {
        let checkpoint: CoverageCheckpoint | undefined;
        let clock = T0;
        const listed: Array<[number, number]> = [];
        for (const s of steps) {
          clock += s.afterMs;
          const schedule: SweepSchedule = { ...DEFAULT_SWEEP_SCHEDULE, intervalSeconds: s.intervalSeconds, settleSeconds: s.settleSeconds };
          const plan = planCoverageRun(checkpoint, account({ redactAfterSeconds: s.redactAfterSeconds }), new Date(clock), schedule);
          // Never a frontier moved back, never a bound beyond the run's own due-by.
          if (checkpoint) {
            expect(plan.listFrom).toBe(checkpoint.listedTo);
            expect(plan.dueFrom).toBe(checkpoint.dueTo);
            expect(plan.checkFrom).toBe(checkpoint.checkTo);
          }
          for (const [from, to] of [[plan.listFrom, plan.listTo], [plan.dueFrom, plan.dueTo], [plan.checkFrom, plan.checkTo]] as const) {
            expect(Date.parse(to)).toBeGreaterThanOrEqual(Date.parse(from));
          }
          expect(Date.parse(plan.listTo)).toBeLessThanOrEqual(Math.max(Date.parse(plan.listFrom), Date.parse(plan.dueBy)));
          const claimed = claimedCheckpoint(checkpoint, plan, new Date(clock + HOUR));
          if (!s.completes) {
            // A run that died: the next one plans from the same frontiers.
            checkpoint = { ...claimed, run: undefined, version: claimed.version } as CoverageCheckpoint;
            continue;
          }
          listed.push([Date.parse(plan.listFrom), Date.parse(plan.listTo)]);
          checkpoint = completedCheckpoint(claimed, plan);
        }
        // The completed runs' list windows meet end to start: no gap, no overlap.
        for (let i = 1; i < listed.length; i++) expect(listed[i]![0]).toBe(listed[i - 1]![1]);
      }),
      { numRuns: 300 },
    );
  });

  it('takes the last interval on a route that has no checkpoint yet', () => {
    const plan = planCoverageRun(undefined, account({ redactAfterSeconds: 86_400 }), new Date(T0), DEFAULT_SWEEP_SCHEDULE);
    expect(plan).toMatchObject({ route: 'r1', runId: `r1:${new Date(T0).toISOString()}`, listFrom: '2026-11-30T10:45:00.000Z', listTo: '2026-11-30T11:45:00.000Z', dueBy: '2026-11-30T11:45:00.000Z', dueTo: '2026-11-29T11:45:00.000Z' });
  });
});

describe('Function: busyLease', () => {
  it('holds the route only while the lease has not run out', () => {
    const plan = planCoverageRun(undefined, account(), new Date(T0), DEFAULT_SWEEP_SCHEDULE);
    const claimed = claimedCheckpoint(undefined, plan, new Date(T0 + HOUR));
    expect(busyLease(claimed, new Date(T0 + HOUR - 1))?.runId).toBe(plan.runId);
    expect(busyLease(claimed, new Date(T0 + HOUR))).toBeUndefined();
    expect(busyLease(completedCheckpoint(claimed, plan), new Date(T0))).toBeUndefined();
  });
});

describe('Function: decideCoverage', () => {
  const plan = planCoverageRun(undefined, account({ redactAfterSeconds: 7 * 86_400 }), new Date(T0), DEFAULT_SWEEP_SCHEDULE);
  const message = (overrides: Partial<ListedMessage>): ListedMessage => ({ id: 'SM1', status: 'delivered', createdAt: new Date(T0 - HOUR), sentAt: new Date(T0 - HOUR), updatedAt: new Date(T0 - HOUR), hasBody: true, mediaCount: 0, inbound: false, ...overrides });
  const timings = DEFAULT_SWEEP_SCHEDULE;
  const acct = account({ redactAfterSeconds: 7 * 86_400 });

  it('never redacts a final message before its retention has run from its last update, and defers it to then', () => {
    fc.assert(
      fc.property(fc.integer({ min: -20 * 86_400, max: 0 }), (updatedAgoSeconds) => {
        const updatedAt = new Date(T0 + updatedAgoSeconds * 1000);
        const decision = decideCoverage(message({ updatedAt }), acct, plan, timings);
        const due = updatedAt.getTime() + 7 * 86_400_000;
        if (decision.kind === 'redact') expect(due).toBeLessThanOrEqual(Date.parse(plan.dueBy));
        else {
          expect(decision).toMatchObject({ kind: 'defer', entry: { kind: 'due', messageId: 'SM1', status: 'delivered' } });
          // Deferred past this run's due range, so a later run takes it; never before its anchor.
          const at = Date.parse(decision.kind === 'defer' ? decision.entry.at : '');
          expect(at).toBeGreaterThan(Date.parse(plan.dueTo));
          expect(at).toBeGreaterThanOrEqual(updatedAt.getTime());
        }
      }),
    );
  });

  it('re-checks a message that is not final at every run for a day, then every 4 hours, and gives up when the late-status window is over', () => {
    // Read again by the next run: its clock an interval on, less the settle time it keeps.
    const young = decideCoverage(message({ status: 'sending', sentAt: new Date(T0 - 60_000) }), acct, plan, timings);
    expect(young).toMatchObject({ kind: 'defer', entry: { kind: 'check', at: new Date(T0 + 45 * 60_000).toISOString() } });
    const older = decideCoverage(message({ status: 'sending', sentAt: new Date(T0 - 23 * HOUR) }), acct, plan, timings);
    expect(older).toMatchObject({ kind: 'defer', entry: { kind: 'check', at: new Date(T0 + 45 * 60_000).toISOString() } });
    const dayOld = decideCoverage(message({ status: 'sending', sentAt: new Date(T0 - 25 * HOUR) }), acct, plan, timings);
    expect(dayOld).toMatchObject({ kind: 'defer', entry: { kind: 'check', at: new Date(T0 + 4 * HOUR - 15 * 60_000).toISOString() } });
    const last = decideCoverage(message({ status: 'sending', sentAt: new Date(T0 - 47 * HOUR) }), acct, plan, timings);
    expect(last).toMatchObject({ kind: 'defer', entry: { kind: 'check', at: new Date(T0 + HOUR).toISOString() } });
    expect(decideCoverage(message({ status: 'sending', sentAt: new Date(T0 - 48 * HOUR) }), acct, plan, timings)).toEqual({ kind: 'skip', reason: 'not-terminal' });
  });

  it('never starts the retention of a re-read message before a run saw it not final, even without an update time', () => {
    const seen = new Date(T0 - 2 * HOUR).toISOString();
    const relay = message({ updatedAt: undefined, createdAt: new Date(T0 - 8 * 86_400_000), sentAt: undefined });
    // By its creation alone it would be long due; with no update time its retention starts no earlier
    // than this run, which saw it final, and never before a run saw it not final.
    expect(decideCoverage(relay, acct, plan, timings)).toMatchObject({ kind: 'defer', entry: { kind: 'due', at: plan.clock } });
    const updated = message({ updatedAt: new Date(T0 - 8 * 86_400_000) });
    expect(decideCoverage(updated, acct, plan, timings).kind).toBe('redact');
    expect(decideCoverage(updated, acct, plan, timings, seen)).toMatchObject({ kind: 'defer', entry: { kind: 'due', at: seen } });
    const notFinal = decideCoverage(message({ status: 'sending' }), acct, plan, timings);
    expect(notFinal).toMatchObject({ kind: 'defer', entry: { kind: 'check', notFinalAt: plan.clock } });
  });

  it('skips an empty body, and carries ids, statuses and instants only', () => {
    expect(decideCoverage(message({ hasBody: false }), acct, plan, timings)).toEqual({ kind: 'skip', reason: 'body-empty' });
    const deferred = decideCoverage(message({}), acct, plan, timings);
    expect(deferred.kind === 'defer' && Object.keys(deferred.entry).sort()).toEqual(['at', 'kind', 'media', 'messageId', 'route', 'sentAt', 'status']);
    const check = decideCoverage(message({ status: 'sending' }), acct, plan, timings);
    expect(check.kind === 'defer' && Object.keys(check.entry).sort()).toEqual(['at', 'kind', 'media', 'messageId', 'notFinalAt', 'route', 'sentAt', 'status']);
  });
});
