import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweepCli } from '../../cli/sweep-command';
import { startLocalStack, LOCAL_ROUTES, type LocalStack } from '../../local/local-stack';
import { waitFor } from '../support/wait-for';
import { captureIo } from '../support/cli-io';

const DAY = 86_400_000;


/** The sweep commands against a real local stack whose sandbox holds history no callback announced. */
describe('CLI: npm run sweep (local stack)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-sweep-'));
  const endpoints = join(stateDir, 'endpoints.json');
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ stateDir, twilioSubaccounts: 2 });
  }, 30_000);
  afterAll(async () => {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const run = async (...argv: string[]) => {
    const captured = captureIo();
    const code = await runSweepCli([...argv, '--endpoints', endpoints], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };

  it('backfills history sent before deployment: dry run counts, the real run redacts, verify proves it', { timeout: 60_000 }, async () => {
    const now = Date.now();
    const delivered = stack.sandbox.seedHistory('twilio', { count: 30, sentAt: (i) => now - 20 * DAY + i * 60_000, status: 'delivered' });
    const stuck = stack.sandbox.seedHistory('twilio', { count: 5, sentAt: (i) => now - 19 * DAY + i * 60_000, status: 'queued' });
    const since = new Date(now - 21 * DAY).toISOString();

    const before = await run('verify', '--route', LOCAL_ROUTES.twilio, '--since', since);
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/delivered\s+30\s+30\s+30\s+0\s+SM/);
    expect(before.stdout).toContain('30 bodies held past retention');

    const dry = await run('backfill', '--route', LOCAL_ROUTES.twilio, '--since', since, '--dry-run');
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toContain('35 message(s) listed, 30 would enqueue (delivered 30); skipped (not-terminal 5) (dry run: nothing enqueued)');
    expect(delivered.every((m) => stack.sandbox.messages.get(m.id)!.body !== '')).toBe(true);

    const real = await run('backfill', '--route', LOCAL_ROUTES.twilio, '--since', since);
    expect(real.stdout).toContain('30 enqueued (delivered 30)');
    await waitFor(() => delivered.every((m) => stack.sandbox.messages.get(m.id)!.body === ''), 30_000, 'the backfill to redact');
    // Never a message that is not final.
    expect(stuck.every((m) => stack.sandbox.messages.get(m.id)!.body !== '')).toBe(true);

    const after = await run('verify', '--route', LOCAL_ROUTES.twilio, '--since', since, '--json');
    expect(after.code).toBe(0);
    const report = JSON.parse(after.stdout) as { heldPastRetention: number; statuses: Array<{ status: string; held: number }> };
    expect(report.heldPastRetention).toBe(0);
    expect(report.statuses).toEqual([
      expect.objectContaining({ status: 'delivered', listed: 30, held: 0 }),
      expect.objectContaining({ status: 'queued', listed: 5, held: 5, heldPastRetention: 0 }),
    ]);
  });

  it('verifies and backfills a Twilio subaccount from its own list, with the parent\'s credentials', { timeout: 60_000 }, async () => {
    const [clinic, other] = stack.subaccounts;
    const now = Date.now();
    const held = stack.sandbox.seedHistory('twilio', { account: clinic!.sid, count: 12, sentAt: (i) => now - 10 * DAY + i * 60_000, status: 'delivered' });
    const neighbour = stack.sandbox.seedHistory('twilio', { account: other!.sid, count: 7, sentAt: (i) => now - 10 * DAY + i * 60_000, status: 'delivered' });
    const since = new Date(now - 11 * DAY).toISOString();

    const before = await run('verify', '--route', clinic!.route, '--since', since);
    expect(before.code).toBe(1);
    // Only this subaccount's messages: the other subaccount's and the parent's are not in its list.
    expect(before.stdout).toMatch(/delivered\s+12\s+12\s+12\s+0\s+SM/);

    expect((await run('backfill', '--route', clinic!.route, '--since', since)).stdout).toContain('12 enqueued (delivered 12)');
    await waitFor(() => held.every((m) => stack.sandbox.messages.get(m.id)!.body === ''), 30_000, 'the backfill to redact');
    expect(neighbour.every((m) => stack.sandbox.messages.get(m.id)!.body !== '')).toBe(true);
    expect((await run('verify', '--route', clinic!.route, '--since', since)).code).toBe(0);
  });

  it('reports CarrierX bodies honestly: held past retention, exit 1', { timeout: 30_000 }, async () => {
    const now = Date.now();
    stack.sandbox.seedHistory('carrierx', { count: 4, sentAt: (i) => now - 3 * DAY + i * 1000, status: 'delivered' });
    const result = await run('verify', '--route', LOCAL_ROUTES.carrierx, '--since', new Date(now - 4 * DAY).toISOString());
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('4 bodies held past retention');
  });

  it.each([
    { argv: ['backfill', '--since', '2026-01-01'], message: 'sweep: --route is required' },
    { argv: ['verify', '--route', 'local-twilio'], message: 'sweep: --since is required' },
    { argv: ['verify', '--route', 'local-twilio', '--since', 'yesterday'], message: 'sweep: --since must be a date (YYYY-MM-DD) or an ISO-8601 time with a zone' },
    { argv: ['verify', '--route', 'local-twilio', '--since', '2026-02-01', '--until', '2026-01-01'], message: 'sweep: --until must be after --since' },
    { argv: ['verify', '--route', 'local-twilio', '--since', '2026-02-31'], message: 'sweep: --since names a day that does not exist (2026-02-31)' },
    { argv: ['purge'], message: 'sweep: unknown command "purge"' },
    { argv: ['verify', '--route', 'nope', '--since', '2026-01-01'], message: 'sweep: route "nope" is not an account of the local stack' },
    { argv: ['verify', '--route', 'local-twilio', '--since', '2026-01-01', '--dry-run'], message: 'sweep: --dry-run applies to backfill only' },
    { argv: ['backfill', '--route', 'local-twilio', '--since', '2026-01-01', '--bogus'], message: "sweep: unknown option '--bogus'" },
  ])('refuses $argv with one line and the usage, exit 2', async ({ argv, message }) => {
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toContain(message);
    expect(result.stderr).toContain('Commands:');
    expect(result.stdout).toBe('');
  });
});
