import { describe, expect, it } from 'vitest';
import { runCommand } from '../support/cli-process';

/**
 * `npm run dlq` and `npm run bench` as processes: --help answers the usage on stdout, and bad usage
 * gets one line naming the problem, then the usage, exit 2, never a stack trace.
 * (`npm start` and `npm run trigger` have the same checks beside their other process tests.)
 */
describe.each([
  { name: 'dlq', script: 'cli/dlq.ts', usage: /^Dead-letter queue operations \(npm run dlq -- <command> \[options\]\)\n/, bad: ['list', '--limit', '0'], problem: 'dlq: --limit must be a whole number from 1 to 1000000' },
  { name: 'bench', script: 'bench/run.ts', usage: /^Measures the receiver, the local pipeline/, bad: ['--jsn'], problem: "bench: unknown option '--jsn'" },
])('CLI: npm run $name', ({ script, usage, bad, problem }) => {
  it('answers --help', { timeout: 30_000 }, async () => {
    const { code, stdout, stderr } = await runCommand(script, ['--help']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(usage);
  });

  it('explains bad usage in one line, then the usage, exit 2', { timeout: 30_000 }, async () => {
    const { code, stdout, stderr } = await runCommand(script, bad);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    const [first, blank, ...rest] = stderr.split('\n');
    expect([first, blank]).toEqual([problem, '']);
    expect(rest.join('\n')).toMatch(usage);
  });
});
