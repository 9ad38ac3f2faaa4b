import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForQueueIdle } from '../../local/demo-run';
import { LOCAL_ROUTES, startLocalStack, type LocalStack } from '../../local/local-stack';
import { runLocalSweep } from '../../local/local-sweep';
import type { SandboxMessage } from '../../local/sandbox/sandbox-message';

const DAY_MS = 86_400_000;

/** runLocalSweep: a backfill over the running local stack, through its queue, into its redactor. */
describe('Function: runLocalSweep (Twilio route of the local stack)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-local-sweep-'));
  let stack: LocalStack;
  let delivered: SandboxMessage[];
  let sent: SandboxMessage[];

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, stateDir });
    delivered = stack.sandbox.seedHistory('twilio', { count: 6, sentAt: (i) => Date.now() - 2 * DAY_MS + i * 1000, status: 'delivered' });
    sent = stack.sandbox.seedHistory('twilio', { count: 2, sentAt: (i) => Date.now() - 2 * DAY_MS + i * 1000, status: 'sent' });
  });
  afterAll(async () => {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('a dry run counts per status and skip reason, and enqueues nothing', async () => {
    const totals = await runLocalSweep(stack, { route: LOCAL_ROUTES.twilio, since: new Date(Date.now() - 3 * DAY_MS), dryRun: true });
    expect(totals).toEqual({ pages: 1, listed: 8, redact: { delivered: 6 }, skipped: { 'not-terminal': 2 } });
    expect(stack.queues.server.inspectQueue('message-redactor-jobs')?.messages.ready).toEqual([]);
  });

  it('a real run empties the final bodies through the redactor and leaves the others alone', { timeout: 20_000 }, async () => {
    const pages: number[] = [];
    const totals = await runLocalSweep(stack, { route: LOCAL_ROUTES.twilio, since: new Date(Date.now() - 3 * DAY_MS), onPage: (t) => pages.push(t.pages) });
    expect(totals.redact).toEqual({ delivered: 6 });
    expect(pages).toEqual([1]);
    expect(await waitForQueueIdle(stack, 15_000)).toBe(true);
    expect(delivered.map((m) => m.body)).toEqual(['', '', '', '', '', '']);
    expect(sent.map((m) => m.body)).toEqual(sent.map(() => 'Seeded history: your code is 123456'));
    // Run again: the bodies are gone, nothing is requested again.
    expect(await runLocalSweep(stack, { route: LOCAL_ROUTES.twilio, since: new Date(Date.now() - 3 * DAY_MS) })).toEqual({
      pages: 1,
      listed: 8,
      redact: {},
      skipped: { 'body-empty': 6, 'not-terminal': 2 },
    });
  });

  it('names a route the stack does not have', async () => {
    await expect(runLocalSweep(stack, { route: 'nope', since: new Date(0) })).rejects.toThrow('runLocalSweep: route "nope" is not an account of the local stack');
  });
});
