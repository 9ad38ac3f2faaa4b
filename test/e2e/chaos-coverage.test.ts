import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { coverageChaosPassed, coverageChaosSummary, runCoverageChaos } from '../../local/chaos-coverage';

/**
 * The coverage profile, small: 400 messages over 10 simulated days, every callback lost, the schedule
 * changing its interval and settle time and skipping most of a day, late receipts and `read` statuses
 * days after delivery. With the checkpoint nothing is lost or redacted early and the audit counts
 * what the sandbox holds; the same run with each run forgetting the checkpoint loses bodies.
 */
describe('Chaos: coverage profile', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-chaos-coverage-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('ends with lost=0, wrongly-redacted=0 and the audit\'s held count equal to the sandbox\'s', { timeout: 240_000 }, async () => {
    const result = await runCoverageChaos({ messages: 400, days: 10, seed: 7, stateDir: join(stateDir, 'on') });
    expect(result.due, coverageChaosSummary(result)).toBeGreaterThan(200);
    expect(result.readStatuses).toBeGreaterThan(10);
    expect(result.skippedRuns).toBeGreaterThan(0);
    expect({ lost: result.lost, wronglyRedacted: result.wronglyRedacted }, coverageChaosSummary(result)).toEqual({ lost: 0, wronglyRedacted: 0 });
    expect(result.auditHeld, coverageChaosSummary(result)).toEqual(result.sandboxHeld);
    // CarrierX cannot blank a body: its due messages are held under their own reason, and dead-lettered with it.
    expect(result.sandboxHeld.providerCannotRedact).toBeGreaterThan(0);
    expect(result.deadLetterReasons).toEqual({ 'provider-cannot-redact': result.sandboxHeld.providerCannotRedact });
    expect(coverageChaosPassed(result)).toBe(true);
  });

  it('fails when each run forgets the checkpoint, as the sweep did before it', { timeout: 240_000 }, async () => {
    const result = await runCoverageChaos({ messages: 400, days: 10, seed: 7, checkpoint: false, stateDir: join(stateDir, 'off') });
    expect(result.lost, coverageChaosSummary(result)).toBeGreaterThan(20);
    expect(coverageChaosPassed(result)).toBe(false);
  });
});
