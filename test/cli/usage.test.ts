import { describe, expect, it } from 'vitest';
import { BENCH_USAGE, runBenchCli } from '../../bench/bench-command';
import { CHAOS_USAGE, runChaosCli } from '../../cli/chaos-command';
import { runDlqCli } from '../../cli/dlq-command';
import { runSmokeCli, SMOKE_USAGE } from '../../cli/smoke-command';
import { runSubaccountsCli, SUBACCOUNTS_USAGE } from '../../cli/subaccounts-command';
import { runSweepCli, SWEEP_USAGE } from '../../cli/sweep-command';
import { runTriggerCli, TRIGGER_USAGE } from '../../cli/trigger-command';
import { runStartCli, START_USAGE } from '../../local/start-command';
import type { CliIo } from '../../cli/kit';
import { runCommand } from '../support/cli-process';
import { captureIo } from '../support/cli-io';

/**
 * Every command line of the project in the one style: --help answers the usage on stdout; bad usage
 * gets one line naming the problem, then the usage, exit 2, never a stack trace. Checked in process
 * for each command, and once per entry point as a real process (its exit code and streams).
 */
const COMMANDS: ReadonlyArray<{
  readonly name: string;
  readonly script: string;
  readonly run: (argv: readonly string[], io: CliIo) => Promise<number>;
  readonly usage: string | RegExp;
  readonly bad: readonly string[];
  readonly problem: string;
}> = [
  { name: 'dlq', script: 'cli/dlq.ts', run: runDlqCli, usage: /^Dead-letter queue operations \(npm run dlq -- <command> \[options\]\)\n/, bad: ['list', '--limit', '0'], problem: 'dlq: --limit must be a whole number from 1 to 1000000' },
  { name: 'sweep', script: 'cli/sweep.ts', run: runSweepCli, usage: SWEEP_USAGE, bad: ['frobnicate'], problem: 'sweep: unknown command "frobnicate"' },
  { name: 'smoke', script: 'cli/smoke.ts', run: runSmokeCli, usage: SMOKE_USAGE, bad: ['--url', 'https://example.com/callbacks/x'], problem: 'smoke: --route is required' },
  {
    name: 'trigger', script: 'cli/trigger.ts', run: runTriggerCli, usage: TRIGGER_USAGE, bad: ['fax', 'delivered'],
    problem: `trigger: unknown provider "fax": use one of ${TRIGGER_USAGE.match(/provider {12}(.+)\n/)![1]}`,
  },
  { name: 'subaccounts', script: 'cli/subaccounts.ts', run: runSubaccountsCli, usage: SUBACCOUNTS_USAGE, bad: ['sync'], problem: 'subaccounts: --accounts FILE is required' },
  { name: 'chaos', script: 'cli/chaos.ts', run: runChaosCli, usage: CHAOS_USAGE, bad: ['--messages', '-5'], problem: 'chaos: --messages must be a whole number from 1 to 100000' },
  { name: 'bench', script: 'bench/run.ts', run: runBenchCli, usage: BENCH_USAGE, bad: ['--jsn'], problem: "bench: unknown option '--jsn'" },
  { name: 'start', script: 'local/start.ts', run: runStartCli, usage: START_USAGE, bad: ['--frobnicate'], problem: "start: unknown option '--frobnicate'" },
];

function expectUsage(text: string, usage: string | RegExp): void {
  if (typeof usage === 'string') expect(text).toBe(usage);
  else expect(text).toMatch(usage);
}

describe.each(COMMANDS)('CLI: $name', ({ script, run, usage, bad, problem }) => {
  it('answers --help with the usage on stdout, exit 0', async () => {
    const captured = captureIo();
    expect(await run(['--help'], captured.io)).toBe(0);
    expect(captured.stderr()).toBe('');
    expectUsage(captured.stdout(), usage);
  });

  it('explains bad usage in one line, then the usage, exit 2', async () => {
    const captured = captureIo();
    expect(await run(bad, captured.io)).toBe(2);
    expect(captured.stdout()).toBe('');
    const [first, blank, ...rest] = captured.stderr().split('\n');
    expect([first, blank]).toEqual([problem, '']);
    expectUsage(rest.join('\n'), usage);
  });

  it(`as a process (${script}): bad usage exits 2 with that line, no stack trace`, { timeout: 30_000 }, async () => {
    const { code, stdout, stderr } = await runCommand(script, bad);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr.split('\n')[0]).toBe(problem);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
