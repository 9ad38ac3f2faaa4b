import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for';

const env = { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' };

/**
 * What a user does in two terminals: `npm start` (the demo, then serving), and `npm run sweep --
 * verify` against it. Real processes, real ports: the ground truth comes from the providers' lists.
 */
describe('CLI: npm run sweep -- verify after the npm start demo', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-verify-'));
  let start: ChildProcess;
  let output = '';

  beforeAll(async () => {
    start = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--messages', '60', '--port', '0', '--state-dir', stateDir], { env });
    start.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    await waitFor(() => output.includes('Serving callbacks until Ctrl-C'), 90_000, 'the demo summary');
  }, 100_000);

  afterAll(async () => {
    if (start.exitCode === null) {
      const exited = new Promise((resolve) => start.once('exit', resolve));
      start.kill('SIGTERM');
      await exited;
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  const verify = (route: string) =>
    promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'cli/sweep.ts', 'verify', '--route', route, '--since', new Date(Date.now() - 3_600_000).toISOString(), '--endpoints', join(stateDir, 'endpoints.json')],
      { env },
    ).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

  it.each(['local-twilio', 'local-signalwire-compat', 'local-signalwire-rest'])('%s: 0 bodies held past retention, exit 0', { timeout: 60_000 }, async (route) => {
    expect(output).toMatch(/lost\s+0\n/);
    const { code, stdout } = await verify(route);
    expect(stdout).toMatch(/^delivered\s+\d+\s+0\s+0\s+0\s+-$/m);
    expect(stdout).toContain('\n0 bodies held past retention\n');
    expect(code).toBe(0);
  });

  it('local-carrierx: lists the bodies CarrierX gives no way to blank, the same ones the DLQ holds, and exits 1', { timeout: 60_000 }, async () => {
    const parked = Number(/dead-lettered\s+(\d+) \(provider-cannot-redact: \1\)/.exec(output)?.[1]);
    expect(parked).toBeGreaterThan(0);
    const { code, stdout } = await verify('local-carrierx');
    expect(stdout).toContain(`\n${parked} bodies held past retention\n`);
    // The oldest one of each status, by id and due time: ids only, never a body or a number.
    expect(stdout).toMatch(/^delivered\s+\d+\s+\d+\s+\d+\s+0\s+[0-9a-f-]{36} \(\d{4}-\d\d-\d\dT[\d:.]+Z\)$/m);
    expect(stdout).not.toContain('Sandbox message');
    expect(stdout).not.toMatch(/\b1516\d{7}\b/);
    expect(code).toBe(1);
  });
});
