import type { CliIo } from '../../cli/kit';

/** What a command run in process printed: the chunks as written, and each stream whole. */
export interface CapturedIo {
  /** Pass this as the command's `io`. */
  readonly io: CliIo;
  readonly out: string[];
  readonly err: string[];
  stdout(): string;
  stderr(): string;
}

/** An `io` for running a command's `run…Cli(argv, io)` in the test's own process (no terminal). */
export function captureIo(): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (text) => void out.push(text), err: (text) => void err.push(text), isTTY: false },
    out,
    err,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}
