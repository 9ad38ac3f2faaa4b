import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDlqCli } from '../../cli/dlq-command';
import { deadLetters } from '../../local/demo-run';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import type { SandboxMessage } from '../../local/sandbox/sandbox-message';
import { closedPort } from '../support/closed-port';
import { waitFor } from '../support/wait-for';
import { captureIo } from '../support/cli-io';

const BODY = 'Sandbox body that must never be printed';
let stack: LocalStack;
let stateDir: string;
let rejected: SandboxMessage;
let unredactable: SandboxMessage;

/** Runs the CLI in process: results on `out`, problems on `err`. */
async function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const captured = captureIo();
  const code = await runDlqCli(args, captured.io, env);
  return { code, out: captured.stdout(), err: captured.stderr() };
}

async function dlq(...args: string[]): Promise<{ code: number; out: string }> {
  const { code, out } = await run([...args, '--local', '--endpoints', join(stateDir, 'endpoints.json')]);
  return { code, out };
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'redactor-dlq-'));
  stack = await startLocalStack({ stateDir });
  // One Twilio message refused once (a permanent 4xx), one CarrierX message (cannot be redacted).
  ({ message: rejected } = await sendWithScript('twilio'));
  ({ message: unredactable } = await stack.sender.send('carrierx', { body: BODY }));
  await waitFor(() => deadLetters(stack).size === 2, 15_000, 'two dead letters');
});

afterAll(async () => {
  await stack.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Sends a message whose first redaction is refused with a permanent 4xx. */
async function sendWithScript(provider: 'twilio') {
  const original = stack.sandbox.createMessage.bind(stack.sandbox);
  stack.sandbox.createMessage = (p, options) => {
    const message = original(p, { ...options, body: BODY });
    stack.sandbox.script(message.id, { status: 400, body: { code: 21610, message: 'Attempt to send to unsubscribed recipient' } });
    return message;
  };
  try {
    return await stack.sender.send(provider);
  } finally {
    stack.sandbox.createMessage = original;
  }
}

describe('CLI: npm run dlq', () => {
  it('lists parked jobs with ids, reason and code, never a body', async () => {
    const { code, out } = await dlq('list');
    expect(code).toBe(0);
    expect(out).toMatch(/^ID\s+PROVIDER\s+ROUTE\s+MESSAGE\s+REASON\s+CODE\s+ATTEMPTS\s+AGE$/m);
    expect(out).toContain(rejected.id);
    expect(out).toContain(unredactable.id);
    expect(out).toMatch(new RegExp(`twilio\\s+local-twilio\\s+${rejected.id}\\s+rejected\\s+21610\\s+1\\s+\\d+s`));
    expect(out).toMatch(new RegExp(`carrierx\\s+local-carrierx\\s+${unredactable.id}\\s+provider-cannot-redact\\s+body-not-updatable`));
    expect(out).toContain('2 parked job(s)');
    expect(out).not.toContain(BODY);
  });

  it('filters by reason and prints JSON on request', async () => {
    const { out } = await dlq('list', '--reason', 'rejected', '--json');
    expect((JSON.parse(out) as Array<{ messageId: string; reason: string }>).map((e) => [e.messageId, e.reason])).toEqual([[rejected.id, 'rejected']]);
  });

  it('leaves everything in place on a dry-run redrive', async () => {
    expect(await dlq('redrive', '--reason', 'rejected', '--dry-run')).toEqual({ code: 0, out: '1 job(s) would be moved back to the redaction queue (dry run: nothing changed)\n' });
    expect(deadLetters(stack).size).toBe(2);
  });

  it('redrives one reason back to the queue, where the job now succeeds', async () => {
    expect(await dlq('redrive', '--reason', 'rejected')).toEqual({ code: 0, out: '1 of 1 job(s) moved back to the redaction queue\n' });
    await waitFor(() => stack.sandbox.messages.get(rejected.id)!.body === '', 15_000, 'the redriven job to redact the body');
    expect([...deadLetters(stack).values()]).toEqual(['provider-cannot-redact']);
  });

  it('refuses to purge without --yes, then purges', async () => {
    const refused = await run(['purge', '--local', '--endpoints', join(stateDir, 'endpoints.json')]);
    expect(refused).toMatchObject({ code: 2, out: '' });
    expect(refused.err.split('\n')[0]).toBe('dlq: purge deletes every parked job for good: add --yes to confirm');
    expect(deadLetters(stack).size).toBe(1);
    expect(await dlq('purge', '--yes')).toEqual({ code: 0, out: 'dead-letter queue purged\n' });
    expect((await dlq('list')).out).toBe('the dead-letter queue is empty\n');
  });

  it('explains a missing target and an unknown command', async () => {
    const missing = await run(['list', '--local', '--endpoints', join(stateDir, 'nope.json')]);
    expect(missing).toMatchObject({ code: 2, out: '' });
    expect(missing.err.split('\n')[0]).toBe(
      `dlq: no local stack found (${join(stateDir, 'nope.json')} is missing): start one with npm start, or pass --queue-url URL --dlq-url URL for a deployed stack`,
    );
    expect(missing.err).toContain('\nDead-letter queue operations');
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^dlq: unknown command "frobnicate"\n\nDead-letter queue operations/);
  });

  it('reports endpoints left by a stopped npm start like a missing stack, at once', async () => {
    const stale = join(stateDir, 'stale-endpoints.json');
    const endpoints = JSON.parse(readFileSync(join(stateDir, 'endpoints.json'), 'utf8')) as { pid: number };
    expect(endpoints.pid).toBe(process.pid);
    writeFileSync(stale, JSON.stringify({ ...endpoints, pid: exitedProcessId() }));
    const refused = await run(['list', '--local', '--endpoints', stale]);
    expect(refused).toMatchObject({ code: 2, out: '' });
    expect(refused.err.split('\n')[0]).toBe(
      `dlq: no local stack found (${stale} was left by an npm start that has stopped): start one with npm start, or pass --queue-url URL --dlq-url URL for a deployed stack`,
    );
  });

  it('refuses queue URLs from the shell while a local stack runs, and names the queue it purges', async () => {
    const endpoints = join(stateDir, 'endpoints.json');
    const shell = { REDACTION_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq' };
    const ambiguous = await run(['purge', '--yes', '--endpoints', endpoints], shell);
    expect(ambiguous).toMatchObject({ code: 2, out: '' });
    expect(ambiguous.err.split('\n')[0]).toBe(
      `dlq: ambiguous target: REDACTION_QUEUE_URL/DEAD_LETTER_QUEUE_URL are set and a local stack is running (${endpoints}): `
      + "pass --local for the local stack, or the deployed stack's flags (--queue-url, --dlq-url, --accounts)",
    );
    const local = await run(['purge', '--yes', '--local', '--endpoints', endpoints], shell);
    expect(local).toEqual({ code: 0, out: 'dead-letter queue purged\n', err: `purge: ${stack.queues.deadLetterQueueUrl}\n` });
  });

  it('refuses an unknown reason, naming the valid ones', async () => {
    const { code, err } = await run(['redrive', '--reason', 'bogus']);
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toBe(
      'dlq: --reason must be one of rejected, provider-cannot-redact, auth, gave-up, invalid-job, unknown-route, config, redrive-backstop',
    );
  });

  it('says why --queue-url alone is not a target', async () => {
    const { code, err } = await run(['list', '--queue-url', 'https://sqs.eu-west-1.amazonaws.com/123456789012/message-redactor-jobs']);
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toBe('dlq: dlq of a deployed stack needs --dlq-url URL (the DeadLetterQueueUrl stack output, or DEAD_LETTER_QUEUE_URL)');
  });

  it('hints at npm start when a running stack\'s ports do not answer', async () => {
    const endpoints = join(stateDir, 'stopped.json');
    const port = await closedPort();
    writeFileSync(endpoints, JSON.stringify({ sqsEndpoint: `http://127.0.0.1:${port}`, queueUrl: `http://127.0.0.1:${port}/q`, deadLetterQueueUrl: `http://127.0.0.1:${port}/dlq`, pid: process.pid }));
    expect(await run(['list', '--local', '--endpoints', endpoints])).toEqual({
      code: 1,
      out: '',
      err: 'dlq: connection refused: is the local stack running (npm start), or is the URL right?\n',
    });
  });

  it('handles a DLQ larger than one receive: every entry once, --limit honoured, redrive by reason', async () => {
    const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
    const jobs = Array.from({ length: 25 }, (_, i) => ({
      job: { v: 1, provider: 'twilio', route: 'local-twilio', messageId: `SM${String(i).padStart(32, '0')}`, status: 'delivered', receivedAt: new Date().toISOString() },
      reason: i % 2 === 0 ? 'auth' : 'rejected',
    }));
    for (let i = 0; i < jobs.length; i += 10) {
      await stack.queues.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: stack.queues.deadLetterQueueUrl,
          Entries: jobs.slice(i, i + 10).map(({ job, reason }, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify(job),
            MessageAttributes: { reason: { DataType: 'String', StringValue: reason } },
          })),
        }),
      );
    }
    const all = JSON.parse((await dlq('list', '--json')).out) as Array<{ messageId: string }>;
    expect(new Set(all.map((e) => e.messageId)).size).toBe(25);
    expect(all).toHaveLength(25);
    expect(JSON.parse((await dlq('list', '--json', '--limit', '5')).out)).toHaveLength(5);
    const limited = (await dlq('list', '--limit', '3')).out.split('\n');
    expect(limited).toHaveLength(6);
    expect(limited[4]).toBe('3 of 25 parked job(s) shown (raise --limit for more)');
    expect((await dlq('list', '--reason', 'auth', '--limit', '3')).out).toMatch(/\n3 of 13 parked job\(s\) shown \(raise --limit for more\)\n$/);
    expect((await dlq('redrive', '--reason', 'auth', '--dry-run')).out).toBe('13 job(s) would be moved back to the redaction queue (dry run: nothing changed)\n');
    expect((await dlq('redrive', '--reason', 'auth')).out).toBe('13 of 13 job(s) moved back to the redaction queue\n');
    const left = JSON.parse((await dlq('list', '--json')).out) as Array<{ reason: string }>;
    expect(left.map((e) => e.reason)).toEqual(Array(12).fill('rejected'));
  });
});

/** The id of a process that has already exited (the kernel does not reuse it at once). */
function exitedProcessId(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}
