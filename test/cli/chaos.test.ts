import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/kit';
import { CHAOS_USAGE, runChaosCli } from '../../cli/chaos-command';

const env = { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' };
const chaos = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/chaos.ts', ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

/** `npm run chaos` in the one CLI style: --help, and bad usage as one line, the usage, exit 2. */
describe('CLI: npm run chaos', () => {
  it('--help prints the usage and exits 0, no stack trace', { timeout: 30_000 }, async () => {
    const { code, stdout, stderr } = await chaos('--help');
    expect(code).toBe(0);
    expect(stdout).toBe(CHAOS_USAGE);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('--messages -5 names the problem in one line, then the usage, exit 2', { timeout: 30_000 }, async () => {
    const { code, stdout, stderr } = await chaos('--messages', '-5');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`chaos: --messages must be a whole number from 1 to 100000\n\n${CHAOS_USAGE}`);
  });

  it.each([
    [['--profile', 'bogus'], 'chaos: --profile must be one of chaos, reconcile, coverage'],
    [['--messages', 'many'], 'chaos: --messages must be a whole number from 1 to 100000'],
    [['--kills', '-1'], 'chaos: --kills must be a whole number from 0 to 100'],
    [['--bogus'], "chaos: unknown option '--bogus'"],
    [['extra'], 'chaos: unexpected argument "extra"'],
  ])('%j: one line, then the usage, exit 2', async (args, line) => {
    const err: string[] = [];
    const io: CliIo = { out: () => {}, err: (text) => err.push(text), isTTY: false };
    expect(await runChaosCli(args, io)).toBe(2);
    expect(err.join('')).toBe(`${line}\n\n${CHAOS_USAGE}`);
  });
});
