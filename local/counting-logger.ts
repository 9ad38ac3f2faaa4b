import { createWriteStream, type WriteStream } from 'node:fs';
import { createJsonLogger, type LogFields, type Logger, type MetricPoint } from '../functions/core/telemetry/logger';

/** Sees every pipeline event as it is logged (the live view of `npm start`). */
export type LogObserver = (event: string, fields: LogFields | undefined) => void;

/**
 * The pipeline's JSON logger, writing to a file instead of the terminal (the terminal shows the
 * progress line and the live view), and counting events so the demo can show retries as they happen.
 * The file starts empty: each run has its own log.
 */
export class CountingLogger implements Logger {
  readonly counts = new Map<string, number>();
  readonly #inner: Logger;
  readonly #stream: WriteStream | undefined;
  readonly #observer: LogObserver | undefined;

  constructor(path?: string, observer?: LogObserver) {
    this.#stream = path === undefined ? undefined : createWriteStream(path, { flags: 'w', mode: 0o600 });
    this.#inner = createJsonLogger({ write: (line) => this.#stream?.write(`${line}\n`) });
    this.#observer = observer;
  }

  count(event: string): number {
    return this.counts.get(event) ?? 0;
  }

  debug(event: string, fields?: LogFields, metrics?: readonly MetricPoint[]): void {
    this.#seen(event, fields);
    this.#inner.debug(event, fields, metrics);
  }

  info(event: string, fields?: LogFields, metrics?: readonly MetricPoint[]): void {
    this.#seen(event, fields);
    this.#inner.info(event, fields, metrics);
  }

  warn(event: string, fields?: LogFields, metrics?: readonly MetricPoint[]): void {
    this.#seen(event, fields);
    this.#inner.warn(event, fields, metrics);
  }

  error(event: string, fields?: LogFields, metrics?: readonly MetricPoint[]): void {
    this.#seen(event, fields);
    this.#inner.error(event, fields, metrics);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.#stream ? this.#stream.end(resolve) : resolve()));
  }

  #seen(event: string, fields: LogFields | undefined): void {
    this.counts.set(event, (this.counts.get(event) ?? 0) + 1);
    this.#observer?.(event, fields);
  }
}
