/**
 * Sums the routine metrics of many invocations into a few embedded-metric-format (EMF) lines.
 *
 * Why: every EMF line is billed as ingested log bytes (about 250 bytes each). One line per callback
 * and per redaction costs more than the rest of the pipeline's logs together; summed per minute, the
 * same counts cost a few bytes per message. CloudWatch reads a summed Count and a Milliseconds value
 * array the same way as the single points (Sum, SampleCount and percentiles stay right).
 *
 * When a line is written: at the end of the first invocation after its minute has ended, so a busy
 * environment writes each minute a few seconds after it closes, under the minute's own timestamp;
 * at once when the environment was quiet before the invocation (a quiet environment may not be
 * invoked again soon); and when a value array is full.
 *
 * What it risks: a Lambda environment is frozen between invocations and may be retired, time out or
 * crash without warning; the points it still holds then (at most its current minute, and after
 * traffic stops the last busy minute) are never written. So no alarm fires on a buffered metric: the
 * logger writes WARN and ERROR lines' metrics, and the alarm signals, at once.
 */

/** A metric as the buffer stores it: a Count is summed, a Milliseconds value is kept in an array. */
export interface BufferedMetric {
  readonly name: string;
  readonly unit: 'Count' | 'Milliseconds';
  /** The dimension (a field name of the line) added to `provider`/`route`, when the metric has one. */
  readonly by?: string;
  readonly value: number;
}

/** A buffered line, ready for the logger's EMF encoding. */
export interface BufferedLine {
  /** The dimension values (provider, route, and the `by` fields) shared by every metric of the line. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly metrics: ReadonlyArray<Omit<BufferedMetric, 'value'> & { readonly value: number | readonly number[] }>;
  /** Milliseconds since the epoch: the first point's time (CloudWatch files the line under its minute). */
  readonly timestamp: number;
}

export interface MetricBufferOptions {
  /** An environment idle this long before an invocation writes everything at its end. @default 10_000 */
  readonly idleMs?: number;
}

/** CloudWatch's limit on the values of one metric in one EMF line. */
export const EMF_MAX_VALUES_PER_METRIC = 100;

const MINUTE_MS = 60_000;

interface Entry {
  readonly dimensions: Readonly<Record<string, string>>;
  /** The first point's time (the line's timestamp) and the end of its minute (when it is due). */
  readonly firstAt: number;
  readonly minuteEnd: number;
  /** By metric name (a line holds one value, or one array, per name). */
  readonly metrics: Map<string, { readonly name: string; readonly unit: BufferedMetric['unit']; readonly by?: string; sum: number; values: number[] }>;
}

export class MetricBuffer {
  readonly #idleMs: number;
  readonly #entries = new Map<string, Entry>();
  #lastDrainAt: number | undefined;

  constructor(options: MetricBufferOptions = {}) {
    this.#idleMs = options.idleMs ?? 10_000;
  }

  /** Points held and not yet written: what would be lost if the environment ended now. */
  get size(): number {
    let points = 0;
    for (const entry of this.#entries.values()) for (const metric of entry.metrics.values()) points += metric.unit === 'Count' ? metric.sum : metric.values.length;
    return points;
  }

  add(dimensions: Readonly<Record<string, string>>, metrics: readonly BufferedMetric[], at: number): void {
    // One entry per minute and dimension values: a line carries one set of values, under one timestamp.
    const minute = Math.floor(at / MINUTE_MS);
    const key = `${minute}|${JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)))}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { dimensions, firstAt: at, minuteEnd: (minute + 1) * MINUTE_MS, metrics: new Map() };
      this.#entries.set(key, entry);
    }
    for (const metric of metrics) {
      let held = entry.metrics.get(metric.name);
      if (held === undefined) {
        held = { name: metric.name, unit: metric.unit, ...(metric.by === undefined ? {} : { by: metric.by }), sum: 0, values: [] };
        entry.metrics.set(metric.name, held);
      }
      if (metric.unit === 'Count') held.sum += metric.value;
      else held.values.push(metric.value);
    }
  }

  /**
   * Called at the end of every invocation: the lines due now. All of them when `force` is set or the
   * environment was idle before this invocation; otherwise those whose minute has ended, or that
   * fill a value array.
   */
  drain(now: number, force = false): BufferedLine[] {
    // A clock that went back (an NTP step) counts as idle: writing early is always safe.
    const idle = this.#lastDrainAt === undefined || now - this.#lastDrainAt > this.#idleMs || now < this.#lastDrainAt;
    this.#lastDrainAt = now;
    const lines: BufferedLine[] = [];
    for (const [key, entry] of this.#entries) {
      const full = [...entry.metrics.values()].some((m) => m.values.length >= EMF_MAX_VALUES_PER_METRIC);
      if (!(force || idle || full || now >= entry.minuteEnd)) continue;
      this.#entries.delete(key);
      lines.push(...toLines(entry));
    }
    return lines;
  }
}

/** One line per 100 values of the longest array; counts go on the first line only. */
function toLines(entry: Entry): BufferedLine[] {
  const held = [...entry.metrics.values()];
  const chunks = Math.max(1, ...held.map((m) => Math.ceil(m.values.length / EMF_MAX_VALUES_PER_METRIC)));
  const lines: BufferedLine[] = [];
  for (let i = 0; i < chunks; i += 1) {
    const metrics: Array<BufferedLine['metrics'][number]> = [];
    for (const m of held) {
      const base = { name: m.name, unit: m.unit, ...(m.by === undefined ? {} : { by: m.by }) };
      if (m.unit === 'Count') {
        if (i === 0) metrics.push({ ...base, value: m.sum });
        continue;
      }
      const values = m.values.slice(i * EMF_MAX_VALUES_PER_METRIC, (i + 1) * EMF_MAX_VALUES_PER_METRIC);
      if (values.length > 0) metrics.push({ ...base, value: values.length === 1 ? (values[0] as number) : values });
    }
    lines.push({ dimensions: entry.dimensions, metrics, timestamp: entry.firstAt });
  }
  return lines;
}
