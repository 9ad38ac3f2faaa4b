import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalPorts } from '../../local/local-state';
import { isProcessAlive } from '../../local/process-alive';
import { runStartCli } from '../../local/start-command';
import { runCommand } from '../support/cli-process';
import { captureIo } from '../support/cli-io';
import { waitFor } from '../support/wait-for';

/** Any free ports: the documented defaults may be taken on a shared machine. */
const FREE_PORTS = ['--port', '0', '--sandbox-port', '0', '--sqs-port', '0'];

/** A per-event line of the live view: time, callback|redaction, provider, message id. */
const LIVE_LINE = /^\d{2}:\d{2}:\d{2} (callback |redaction) \S+\s+\S+\s+\S+\s+.+$/gm;

/** `npm start -- --once` as a user runs it: a real process, real ports, the demo, the summary. */
describe('CLI: npm start -- --once', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-start-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('redacts the demo batch across every provider and exits 0', { timeout: 120_000 }, async () => {
    const { code, stdout } = await runCommand('local/start.ts', ['--once', '--messages', '60', ...FREE_PORTS, '--state-dir', stateDir], 120_000);
    expect(code).toBe(0);
    for (const provider of ['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx', 'vonage-sms', 'vonage-messages']) {
      expect(stdout).toMatch(new RegExp(`${provider}\\s+http://127\\.0\\.0\\.1:\\d+/callbacks/local-${provider}`));
    }
    expect(stdout).toMatch(/messages sent\s+60\n/);
    expect(stdout).toMatch(/lost\s+0\n/);
    expect(stdout).toMatch(/wrongly redacted\s+0\n/);
    const redacted = Number(/redacted at the provider\s+(\d+)/.exec(stdout)?.[1]);
    expect(redacted).toBeGreaterThan(30);
    // The live view: a line per redaction, as many as were redacted.
    expect(stdout.match(/^\d{2}:\d{2}:\d{2} redaction \S+\s+\S+\s+\S+\s+redacted$/gm)).toHaveLength(redacted);
    // The person-readable output and the pipeline log carry ids and statuses, never bodies or numbers.
    const log = readFileSync(join(stateDir, 'pipeline.log'), 'utf8');
    for (const text of [stdout, log]) {
      expect(text).not.toContain('Sandbox message');
      expect(text).not.toMatch(/\+1\d{10}|\b1516\d{7}\b/);
    }
    expect(log.split('\n').filter(Boolean).length).toBeGreaterThan(60);
  });

  it('explains a bad flag in one line, then the usage, and exits 2', async () => {
    const bad = captureIo();
    expect(await runStartCli(['--messages', 'many', '--state-dir', stateDir], bad.io)).toBe(2);
    expect(bad.stderr()).toMatch(/^start: --messages must be a whole number from 0 to 100000\n\nmessage-redactor, local mode/);
    // A name every object inherits is not a fault profile.
    const inherited = captureIo();
    expect(await runStartCli(['--faults', 'toString', '--state-dir', stateDir], inherited.io)).toBe(2);
    expect(inherited.stderr().split('\n')[0]).toMatch(/^start: --faults must be one of none, /);
  });
});

describe('CLI: npm start on a port in use', () => {
  it('says which port, and how to pick others, in one line', { timeout: 60_000 }, async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'redactor-start-busy-'));
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const result = await runCommand('local/start.ts', ['--once', '--messages', '0', ...FREE_PORTS, '--sandbox-port', String(port), '--state-dir', stateDir]);
      expect(result).toMatchObject({
        code: 1,
        stderr: `start: port ${port} is already in use (another npm start?): stop it, or pick ports with --port, --sandbox-port, --sqs-port (or --reset)\n`,
      });
    } finally {
      await new Promise((resolve) => busy.close(resolve));
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('CLI: npm start keeps its state', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-start-state-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));
  const read = (file: string) => JSON.parse(readFileSync(join(stateDir, file), 'utf8')) as Record<string, unknown>;

  it('keeps secrets and ports across a restart, starts a fresh log, --quiet hides the live view, --reset makes new ones', { timeout: 120_000 }, async () => {
    const first = await runCommand('local/start.ts', ['--once', '--messages', '8', ...FREE_PORTS, '--state-dir', stateDir]);
    expect(first.code).toBe(0);
    const secrets = read('secrets.json');
    const ports = read('ports.json') as unknown as LocalPorts;
    expect(first.stdout).toContain(`http://127.0.0.1:${ports.gateway}/callbacks/local-twilio`);
    const firstIds = [...first.stdout.matchAll(LIVE_LINE)].map((line) => line[0].split(/\s+/)[3]!);
    expect(firstIds.length).toBeGreaterThan(0);

    // No port flags: the saved ones. --quiet: no per-event lines.
    const second = await runCommand('local/start.ts', ['--once', '--messages', '8', '--quiet', '--state-dir', stateDir]);
    expect(second.code).toBe(0);
    expect(read('secrets.json')).toEqual(secrets);
    expect(read('ports.json')).toEqual(ports);
    expect(second.stdout).toContain(`http://127.0.0.1:${ports.gateway}/callbacks/local-twilio`);
    expect(second.stdout).toContain(`provider sandbox   http://127.0.0.1:${ports.sandbox} `);
    expect(second.stdout).toContain(`local SQS          http://127.0.0.1:${ports.sqs}\n`);
    expect(second.stdout.match(LIVE_LINE)).toBeNull();
    // The log holds this run only.
    const log = readFileSync(join(stateDir, 'pipeline.log'), 'utf8');
    expect(log).not.toBe('');
    for (const id of firstIds) expect(log).not.toContain(id);

    const third = await runCommand('local/start.ts', ['--once', '--messages', '0', '--reset', ...FREE_PORTS, '--state-dir', stateDir]);
    expect(third.code).toBe(0);
    const renewed = read('secrets.json') as Record<string, Record<string, string>>;
    for (const [secretId, fields] of Object.entries(secrets as Record<string, Record<string, string>>)) {
      // The space URL and Vonage's signature method are settings, not secrets: they stay.
      for (const [field, value] of Object.entries(fields)) if (field !== 'spaceUrl' && field !== 'signatureMethod') expect(renewed[secretId]![field], `${secretId}.${field}`).not.toBe(value);
    }
    const renewedPorts = read('ports.json') as unknown as LocalPorts;
    expect(third.stdout).toContain(`http://127.0.0.1:${renewedPorts.gateway}/callbacks/local-twilio`);
    expect(third.stdout).toContain(`provider sandbox   http://127.0.0.1:${renewedPorts.sandbox} `);
  });
});

describe('CLI: npm start stopped through its launcher', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-launcher-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('stops the whole stack when npm itself is killed (SIGTERM to npm\'s pid)', { timeout: 90_000 }, async () => {
    const npm = spawn('npm', ['start', '--', '--no-demo', ...FREE_PORTS, '--state-dir', stateDir], { stdio: 'ignore' });
    const endpointsFile = join(stateDir, 'endpoints.json');
    const served = await waitFor(
      () => existsSync(endpointsFile) && (JSON.parse(readFileSync(endpointsFile, 'utf8')) as { pid: number; sandboxOrigin: string }),
      60_000, 'the local stack to serve',
    );
    expect(served.pid).not.toBe(npm.pid);
    npm.kill('SIGTERM');
    await waitFor(() => !isProcessAlive(served.pid), 15_000, 'the stack process to stop after npm was killed');
    // Nothing it started still listens.
    await expect(fetch(served.sandboxOrigin)).rejects.toThrow(/fetch failed/);
  });
});
