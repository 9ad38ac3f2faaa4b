import { createJsonLogger, withRequestId, type LogLevel, type Logger } from '../functions/core/telemetry/logger';
import { MetricBuffer } from '../functions/core/telemetry/metric-buffer';
import { defaultMessageRedactorProps } from '../infra/construct-defaults';

/** A Lambda request id as Lambda writes it (a UUID): every line of an invocation carries one. */
const SAMPLE_REQUEST_ID = '6bc28136-4f1c-4b6a-9c1d-2e5f8a7b3c90';

/** The lines one logger wrote, as CloudWatch Logs would ingest them. */
export class LogTally {
  bytes = 0;
  events = 0;
  /** Distinct metrics (name + dimension values) in the EMF lines: each is one billed custom metric. */
  readonly metrics = new Set<string>();
  readonly log: Logger;

  constructor(readonly level: LogLevel) {
    // As deployed: the routine metrics summed per environment (here the bench's one process).
    const json = createJsonLogger({ write: (line) => this.#count(line), level, metricBuffer: new MetricBuffer() });
    this.log = withRequestId(json, SAMPLE_REQUEST_ID);
  }

  #count(line: string): void {
    // One log event per line; the newline is the event boundary, not ingested.
    this.bytes += Buffer.byteLength(line);
    this.events += 1;
    const parsed = JSON.parse(line) as Record<string, unknown> & {
      _aws?: { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
    };
    for (const directive of parsed._aws?.CloudWatchMetrics ?? []) {
      for (const metric of directive.Metrics) {
        for (const set of directive.Dimensions) {
          this.metrics.add(`${metric.Name}{${set.map((d) => `${d}=${String(parsed[d])}`).join(',')}}`);
        }
      }
    }
  }
}

/**
 * What the functions wrote during a run: at the deployed default level (the cost model's figure) and
 * at INFO (the audit-trail option, printed for information). Both loggers see every call.
 */
export class LogVolume {
  readonly deployed = new LogTally(defaultMessageRedactorProps().logLevel);
  readonly info = new LogTally('INFO');
  readonly log: Logger;

  constructor() {
    const both = [this.deployed.log, this.info.log];
    this.log = {
      debug: (...args) => both.forEach((l) => l.debug(...args)),
      info: (...args) => both.forEach((l) => l.info(...args)),
      warn: (...args) => both.forEach((l) => l.warn(...args)),
      error: (...args) => both.forEach((l) => l.error(...args)),
      flush: (force) => both.forEach((l) => l.flush?.(force)),
    };
  }

  /** Writes what the buffers still hold: counted, as if every environment were invoked once more. */
  close(): void {
    this.log.flush?.(true);
  }
}
