import { createWriteStream, type WriteStream } from 'node:fs';
import { createJsonLogger, type LogFields, type Logger } from '../functions/core/logger';

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
    this.#inner = createJsonLogger((line) => this.#stream?.write(`${line}\n`));
    this.#observer = observer;
  }

  count(event: string): number {
    return this.counts.get(event) ?? 0;
  }

  info(event: string, fields?: LogFields): void {
    this.#bump(event);
    this.#inner.info(event, fields);
    this.#observer?.(event, fields);
  }

  warn(event: string, fields?: LogFields): void {
    this.#bump(event);
    this.#inner.warn(event, fields);
    this.#observer?.(event, fields);
  }

  error(event: string, fields?: LogFields): void {
    this.#bump(event);
    this.#inner.error(event, fields);
    this.#observer?.(event, fields);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.#stream ? this.#stream.end(resolve) : resolve()));
  }

  #bump(event: string): void {
    this.counts.set(event, (this.counts.get(event) ?? 0) + 1);
  }
}
