import { createWriteStream, type WriteStream } from 'node:fs';
import { createJsonLogger, type LogFields, type Logger, type MetricPoint } from '../functions/core/logger';

/**
 * The pipeline's JSON logger, writing to a file instead of the terminal (the terminal shows the
 * progress line), and counting events so the demo can show retries as they happen.
 */
export class CountingLogger implements Logger {
  readonly counts = new Map<string, number>();
  readonly #inner: Logger;
  readonly #stream: WriteStream | undefined;

  constructor(path?: string) {
    this.#stream = path === undefined ? undefined : createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.#inner = createJsonLogger({ write: (line) => this.#stream?.write(`${line}\n`) });
  }

  count(event: string): number {
    return this.counts.get(event) ?? 0;
  }

  debug(event: string, fields?: LogFields, metrics?: readonly MetricPoint[]): void {
    this.#bump(event);
    this.#inner.debug(event, fields, metrics);
  }

  info(event: string, fields?: LogFields, metrics?: readonly MetricPoint[]): void {
    this.#bump(event);
    this.#inner.info(event, fields, metrics);
  }

  warn(event: string, fields?: LogFields, metrics?: readonly MetricPoint[]): void {
    this.#bump(event);
    this.#inner.warn(event, fields, metrics);
  }

  error(event: string, fields?: LogFields, metrics?: readonly MetricPoint[]): void {
    this.#bump(event);
    this.#inner.error(event, fields, metrics);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.#stream ? this.#stream.end(resolve) : resolve()));
  }

  #bump(event: string): void {
    this.counts.set(event, (this.counts.get(event) ?? 0) + 1);
  }
}
