import { parseArgs, type ParseArgsConfig } from 'node:util';

// The command lines run on the developer's Node (20 and up); the functions run on nodejs24.x. The
// AWS SDK's notice that its 2027 releases need Node 22 says nothing about this tool's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Bad usage: reported as one line, then the usage, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where a command writes: stdout for results, stderr for progress and problems. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Progress bars only on a terminal. */
  readonly isTTY: boolean;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
};

/**
 * Runs a command the one way every command line of this project behaves: `--help` prints the usage;
 * bad usage prints one line naming the problem, then the usage, and exits 2; any other failure prints
 * one line (with a hint where the cause is known) and exits 1. Never a stack trace.
 */
export async function runCli(name: string, usage: string, io: CliIo, main: () => Promise<number>): Promise<number> {
  try {
    return await main();
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${name}: ${error.message}\n\n${usage}`);
      return 2;
    }
    io.err(`${name}: ${describeFailure(error)}\n`);
    return 1;
  }
}

/** `parseArgs`, strict, with its errors turned into one-line usage errors. */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: T) {
  // A negative number after a flag is its value (then judged by intFlag), not an ambiguous option.
  const args = [...argv];
  for (let i = args.length - 2; i >= 0; i--) {
    const name = /^--([\w-]+)$/.exec(args[i]!)?.[1];
    if (name !== undefined && options[name]?.type === 'string' && /^-\d/.test(args[i + 1]!)) args.splice(i, 2, `--${name}=${args[i + 1]}`);
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's messages carry a "To specify a positional argument…" tail that helps nobody here.
    const first = (error as Error).message.split('. ')[0]!.replace(/^Option '(-\w, )?/, "option '");
    throw new UsageError(first.charAt(0).toLowerCase() + first.slice(1));
  }
}

/** A whole number flag within bounds. */
export function intFlag(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^-?\d+$/.test(value) || number < min || number > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}`);
  return number;
}

/** `YYYY-MM-DD` (midnight UTC) or an ISO-8601 time with a zone. */
export function dateFlag(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const time = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(iso) ? Date.parse(iso) : Number.NaN;
  // Date.parse rolls an impossible day over (2026-02-31 → 2026-03-03): refuse it instead.
  const day = value.slice(0, 10);
  if (!Number.isNaN(time) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
    throw new UsageError(`--${flag} names a day that does not exist (${day})`);
  }
  if (Number.isNaN(time)) throw new UsageError(`--${flag} must be a date (YYYY-MM-DD) or an ISO-8601 time with a zone, e.g. 2026-11-01T00:00:00Z`);
  return new Date(time);
}

/** An absolute http(s) URL flag. */
export function httpUrlFlag(value: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${flag} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--${flag} must be an absolute http(s) URL`);
  return url;
}

/** The flag that lets a signed callback go where its credentials should not. */
export const ALLOW_INSECURE_URL_FLAG = 'allow-insecure-url';

/**
 * A signed callback carries what signs it (CarrierX's callback token in the query, Basic credentials
 * in the URL): it goes over https to the account's own host (its `publicUrl`), or to this machine
 * (the local stack), unless `--allow-insecure-url` says the user means it.
 */
export function assertCallbackUrlSafe(url: string, configuredUrl: string | undefined, allowed: boolean): void {
  if (allowed) return;
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)) return;
  if (target.protocol !== 'https:') {
    throw new UsageError(
      `--url ${printableUrl(url)} is plain http: a signed callback carries the account's credentials; use https, or pass --${ALLOW_INSECURE_URL_FLAG} if you mean it`,
    );
  }
  const configuredHost = configuredUrl === undefined ? undefined : new URL(configuredUrl).host;
  if (configuredHost !== undefined && target.host !== configuredHost) {
    throw new UsageError(
      `--url host ${target.host} is not the account's configured host ${configuredHost} (publicUrl): pass --${ALLOW_INSECURE_URL_FLAG} to send its credentials there`,
    );
  }
}

/**
 * A URL as it may be printed: without its query and fragment (CarrierX puts the account's token
 * there) and without credentials in its authority (`https://user:password@host/…`).
 */
export function printableUrl(url: string): string {
  return url.replace(/[?#].*$/s, '').replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

/** One line for a failure, with what usually went wrong. */
export function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | undefined)?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused: is the local stack running (npm start), or is the URL right?';
  const name = (error as { name?: unknown })?.name;
  if (name === 'CredentialsProviderError') return 'no AWS credentials found (set AWS_PROFILE, or run in an environment with a role)';
  // A message may quote a URL (fetch's "Failed to parse URL from …"): never print its query.
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`?#]*)[?#][^\s"'`]*/gi, '$1?…');
}

/**
 * A one-line progress display: redrawn in place on a terminal; elsewhere (a log, CI) a line at most
 * every `everyMs` milliseconds, or none when it is not given. `end()` closes the terminal's line.
 */
export function progressLine(io: CliIo, options: { readonly everyMs?: number } = {}): ((text: string) => void) & { end(): void } {
  let shown = false;
  let last = Number.NEGATIVE_INFINITY;
  const show = (text: string) => {
    if (io.isTTY) {
      io.err(`\r\x1b[2K${text}`);
      shown = true;
    } else if (options.everyMs !== undefined && Date.now() - last >= options.everyMs) {
      last = Date.now();
      io.err(`${text}\n`);
    }
  };
  return Object.assign(show, {
    end: () => {
      if (shown) io.err('\n');
      shown = false;
    },
  });
}

/** Rows as aligned columns (two spaces apart), the first row being the header; no trailing newline. */
export function formatTable(rows: ReadonlyArray<readonly string[]>): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}
