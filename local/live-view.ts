import type { LogFields } from '../functions/core/telemetry/logger';

/**
 * The line `npm start` shows for a pipeline event: one per callback and one per redaction step, or
 * undefined for the events it does not show. Built from the log fields only (ids, statuses, codes),
 * so it can carry no body, number, token or signature.
 */
export function liveLine(event: string, fields: LogFields = {}, at: Date = new Date()): string | undefined {
  const outcome = describeOutcome(event, fields);
  if (outcome === undefined) return undefined;
  const kind = event.startsWith('callback.') ? 'callback' : 'redaction';
  const columns = [
    at.toISOString().slice(11, 19),
    kind.padEnd(9),
    (fields.provider ?? fields.route ?? '-').padEnd(17),
    (fields.messageId ?? '-').padEnd(36),
    (fields.status ?? '-').padEnd(11),
    outcome,
  ];
  return columns.join(' ');
}

function describeOutcome(event: string, f: LogFields): string | undefined {
  const code = f.code === undefined ? '' : ` ${f.code}`;
  switch (event) {
    case 'callback.accepted':
      return 'accepted: redaction queued';
    case 'callback.ignored':
      return `ignored (${f.reason ?? 'not terminal'})`;
    case 'callback.refused':
      return `refused ${f.httpStatus ?? ''} (${f.reason ?? 'no reason'})`;
    case 'callback.failed':
      return `failed ${f.httpStatus ?? ''}: the provider will retry`;
    case 'redaction.done':
      return f.outcome === 'already-redacted' ? 'already redacted' : 'redacted';
    case 'redaction.not-found':
      return 'not found at the provider (acked)';
    case 'redaction.retry':
      return `retry in ${f.delaySeconds ?? '?'} s (${f.outcome ?? 'transient'}${code})`;
    case 'redaction.deferred':
      return `waiting ${f.delaySeconds ?? '?'} s for its retention`;
    case 'redaction.dead-lettered':
      return `dead-lettered (${f.reason ?? 'unknown'}${code})`;
    case 'redaction.crashed':
      return 'crashed: SQS will redeliver it';
    case 'job.unroutable':
      return 'dead-lettered (unknown-route)';
    default:
      return undefined;
  }
}

/**
 * The console of `npm start`: event lines scroll above a progress line that is redrawn in place on a
 * terminal (and left out elsewhere, where `\r` would only garble a log file).
 */
export class LiveConsole {
  readonly #write: (text: string) => void;
  readonly #isTTY: boolean;
  #progress = '';

  constructor(write: (text: string) => void, isTTY: boolean) {
    this.#write = write;
    this.#isTTY = isTTY;
  }

  /** Prints one event line, keeping the progress line (if any) below it. */
  line(text: string): void {
    this.#write(this.#isTTY && this.#progress !== '' ? `\r\x1b[K${text}\n${this.#progress}` : `${text}\n`);
  }

  /** Redraws the progress line (terminal only). */
  progress(text: string): void {
    if (!this.#isTTY) return;
    this.#progress = text;
    this.#write(`\r\x1b[K${text}`);
  }

  /** Leaves the last progress line in place and moves below it. */
  endProgress(): void {
    if (this.#progress !== '') this.#write('\n');
    this.#progress = '';
  }
}
