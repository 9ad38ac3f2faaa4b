import { RedactorError } from './errors';

/**
 * The only things a log line may carry: ids, statuses, codes and counts. There is no free-form field,
 * so a body, phone number, token or signature cannot be passed by accident.
 */
export interface LogFields {
  readonly route?: string;
  readonly provider?: string;
  readonly messageId?: string;
  readonly status?: string;
  readonly outcome?: string;
  readonly action?: string;
  readonly reason?: string;
  readonly code?: string;
  readonly httpStatus?: number;
  readonly attempt?: number;
  readonly delaySeconds?: number;
  readonly durationMs?: number;
  readonly count?: number;
  /** Sweep: pages read and jobs sent to the redaction queue. */
  readonly pages?: number;
  readonly enqueued?: number;
  readonly failed?: number;
  readonly secretId?: string;
  readonly requestId?: string;
  readonly error?: unknown;
}

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

type Level = 'INFO' | 'WARN' | 'ERROR';

/** One JSON object per line (CloudWatch Logs Insights parses it without configuration). */
export function createJsonLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const emit = (level: Level, event: string, fields: LogFields = {}) => {
    const { error, ...rest } = fields;
    write(JSON.stringify({ level, event, ...rest, ...(error === undefined ? {} : { error: describeError(error) }) }));
  };
  return {
    info: (event, fields) => emit('INFO', event, fields),
    warn: (event, fields) => emit('WARN', event, fields),
    error: (event, fields) => emit('ERROR', event, fields),
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/**
 * Our own errors have fixed, safe messages. Anything else (SDK, JSON.parse, undici) may quote its
 * input, which can be a secret or a body, so only its name and code are kept.
 */
export function describeError(error: unknown): { name: string; message?: string; code?: string; cause?: string } {
  if (error instanceof RedactorError) {
    // The cause's name tells AccessDenied from ResourceNotFound from a network failure.
    const cause = error.cause === undefined ? undefined : describeError(error.cause);
    return { name: error.name, message: error.message, ...(cause ? { cause: cause.code ?? cause.name } : {}) };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: typeof error };
}
