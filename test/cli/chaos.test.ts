import { describe, expect, it } from 'vitest';
import { CHAOS_USAGE, runChaosCli } from '../../cli/chaos-command';
import { captureIo } from '../support/cli-io';

/** `npm run chaos` in the one CLI style: --help, and bad usage as one line, the usage, exit 2. */
describe('CLI: npm run chaos', () => {
  it.each([
    [['--profile', 'bogus'], 'chaos: --profile must be one of chaos, reconcile, coverage'],
    [['--messages', 'many'], 'chaos: --messages must be a whole number from 1 to 100000'],
    [['--kills', '-1'], 'chaos: --kills must be a whole number from 0 to 100'],
    [['--bogus'], "chaos: unknown option '--bogus'"],
    [['extra'], 'chaos: unexpected argument "extra"'],
  ])('%j: one line, then the usage, exit 2', async (args, line) => {
    const captured = captureIo();
    expect(await runChaosCli(args, captured.io)).toBe(2);
    expect(captured.stderr()).toBe(`${line}\n\n${CHAOS_USAGE}`);
  });
});
