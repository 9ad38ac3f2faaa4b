import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/** `npm start -- --once` as a user runs it: a real process, real ports, the demo, the summary. */
describe('CLI: npm start -- --once', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-start-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('redacts the demo batch across the four providers and exits 0', { timeout: 120_000 }, async () => {
    const { stdout } = await promisify(execFile)(
      'npx',
      ['tsx', 'local/start.ts', '--once', '--messages', '60', '--port', '0', '--state-dir', stateDir],
      { env: { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' } },
    );
    for (const provider of ['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx']) {
      expect(stdout).toMatch(new RegExp(`${provider}\\s+http://127\\.0\\.0\\.1:\\d+/callbacks/local-${provider}`));
    }
    expect(stdout).toMatch(/messages sent\s+60\n/);
    expect(stdout).toMatch(/lost\s+0\n/);
    expect(stdout).toMatch(/wrongly redacted\s+0\n/);
    const redacted = Number(/redacted at the provider\s+(\d+)/.exec(stdout)?.[1]);
    expect(redacted).toBeGreaterThan(30);
    // The person-readable output and the pipeline log carry ids and statuses, never bodies or numbers.
    const log = readFileSync(join(stateDir, 'pipeline.log'), 'utf8');
    for (const text of [stdout, log]) {
      expect(text).not.toContain('Sandbox message');
      expect(text).not.toMatch(/\+1\d{10}|\b1516\d{7}\b/);
    }
    expect(log.split('\n').filter(Boolean).length).toBeGreaterThan(60);
  });

  it('explains a bad flag and exits 2', async () => {
    const error = await promisify(execFile)('npx', ['tsx', 'local/start.ts', '--messages', 'many', '--state-dir', stateDir]).catch((e: { code: number; stderr: string }) => e);
    expect(error).toMatchObject({ code: 2, stderr: expect.stringContaining('--messages must be a whole number from 0 to 100000') });
  });
});
