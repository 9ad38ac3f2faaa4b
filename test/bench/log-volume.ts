import { createJsonLogger, withRequestId, type Logger } from '../../functions/core/logger';

/** A Lambda request id as Lambda writes it (a UUID): every line of an invocation carries one. */
const SAMPLE_REQUEST_ID = '6bc28136-4f1c-4b6a-9c1d-2e5f8a7b3c90';

/** What the functions wrote during a run, as CloudWatch Logs would ingest it. */
export class LogVolume {
  bytes = 0;
  events = 0;
  /** Distinct metrics (name + dimension values) in the EMF lines: each is one billed custom metric. */
  readonly metrics = new Set<string>();
  /** The functions' JSON logger at the deployed default level (INFO), each line with a request id. */
  readonly log: Logger;

  constructor() {
    this.log = withRequestId(createJsonLogger({ write: (line) => this.#count(line), level: 'INFO' }), SAMPLE_REQUEST_ID);
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
