import { ConfigError, RedactorError } from '../runtime/errors';
import type { BufferedLine, BufferedMetric, MetricBuffer } from './metric-buffer';
import { ALARM_SIGNAL_METRICS, METRIC_DIMENSIONS, METRIC_NAMESPACE, type MetricName } from './telemetry-names';

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
  /** Receiver: which of the secret's keys verified the callback (`current`, or `previous` during a rotation). */
  readonly keyGeneration?: string;
  readonly code?: string;
  readonly httpStatus?: number;
  readonly attempt?: number;
  readonly delaySeconds?: number;
  readonly count?: number;
  /** Sweep: pages read and jobs sent to the redaction queue. */
  readonly pages?: number;
  readonly enqueued?: number;
  readonly failed?: number;
  /** Sweep: the checkpointed run (`<route>:<clock>`), the part of it a page is, and the run's bounds. */
  readonly runId?: string;
  readonly phase?: string;
  readonly listedTo?: string;
  readonly dueBy?: string;
  readonly secretId?: string;
  /** The Lambda invocation's request id (added by {@link withRequestId}). */
  readonly requestId?: string;
  readonly error?: unknown;
}

/**
 * A CloudWatch metric carried by a log line (embedded metric format). Its dimensions are `provider`
 * and `route` from the line's fields, plus `by` (the line's `reason` or `outcome`) when given.
 */
export interface MetricPoint {
  readonly name: MetricName;
  /** @default 1 */
  readonly value?: number;
  /** @default 'Count' */
  readonly unit?: 'Count' | 'Milliseconds';
  /** A third dimension, read from the field of the same name. */
  readonly by?: typeof METRIC_DIMENSIONS.reason | typeof METRIC_DIMENSIONS.outcome;
}

export interface Logger {
  debug(event: string, fields?: LogFields, metrics?: readonly MetricPoint[]): void;
  info(event: string, fields?: LogFields, metrics?: readonly MetricPoint[]): void;
  warn(event: string, fields?: LogFields, metrics?: readonly MetricPoint[]): void;
  error(event: string, fields?: LogFields, metrics?: readonly MetricPoint[]): void;
  /**
   * Writes the buffered routine metrics that are due (all of them with `force`). The handlers call it
   * at the end of every invocation; a logger without a buffer has nothing to do.
   */
  flush?(force?: boolean): void;
}

/** Log levels, lowest first; the names Lambda's `AWS_LAMBDA_LOG_LEVEL` uses. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The environment variable with the functions' own log level (the construct's `logLevel`). */
export const LOG_LEVEL_ENV = 'LOG_LEVEL';

/**
 * The functions' level: `LOG_LEVEL`, else Lambda's application log level (`AWS_LAMBDA_LOG_LEVEL`),
 * else INFO (a value that is not a level counts as unset). TRACE counts as DEBUG and FATAL as ERROR. The construct sets both, Lambda's never above
 * INFO: Lambda files a line without a `level` (the summed metric lines) as INFO and would drop it.
 */
export function logLevelFromEnv(env: Readonly<Record<string, string | undefined>>): LogLevel {
  return parseLogLevel(env[LOG_LEVEL_ENV]) ?? parseLogLevel(env.AWS_LAMBDA_LOG_LEVEL) ?? 'INFO';
}

/**
 * How finely the metrics are broken down: `route` (provider + route: one series per account, for
 * deployments of up to about a hundred accounts) or `provider` (one series per provider, whatever the
 * account count: each distinct dimension set is a billed custom metric, $0.30 a month). Log lines carry
 * the route either way, so Logs Insights still breaks counts down by account.
 */
export type MetricDetail = 'route' | 'provider';

export const METRIC_DETAIL_ENV = 'METRIC_DETAIL';

/** `METRIC_DETAIL` (route | provider), route when unset; another value is a config error naming the key. */
export function metricDetailFromEnv(env: Readonly<Record<string, string | undefined>>): MetricDetail {
  const value = env[METRIC_DETAIL_ENV];
  if (value === undefined || value === '' || value === 'route') return 'route';
  if (value === 'provider') return 'provider';
  throw new ConfigError(`environment variable ${METRIC_DETAIL_ENV} must be route or provider`);
}

function parseLogLevel(text: string | undefined): LogLevel | undefined {
  const value = text?.toUpperCase();
  if (value === 'TRACE') return 'DEBUG';
  if (value === 'FATAL') return 'ERROR';
  return (LOG_LEVELS as readonly string[]).includes(value ?? '') ? (value as LogLevel) : undefined;
}

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** @default - process.stdout, one line per call */
  readonly write?: (line: string) => void;
  /** Lines below this level are not written; their metrics still are (an EMF-only line). @default 'INFO' */
  readonly level?: LogLevel;
  /** The metrics' breakdown ({@link MetricDetail}). @default 'route' */
  readonly metricDetail?: MetricDetail;
  /** Clock of the EMF timestamps. @default Date.now */
  readonly now?: () => number;
  /**
   * Where the metrics of DEBUG and INFO lines (the routine counts and timings) are summed, to be
   * written by `flush()` as a few lines. WARN and ERROR lines always carry their own metrics, and so
   * does any line for an alarm's signal (ALARM_SIGNAL_METRICS): an alarm never waits on the buffer.
   * @default - none: every line carries its own metrics
   */
  readonly metricBuffer?: MetricBuffer;
}

/**
 * One JSON object per line (CloudWatch Logs Insights parses it without configuration). A line with
 * metrics also carries the EMF `_aws` block, so CloudWatch extracts the metrics from the same line:
 * no metric filters and no PutMetricData calls. A line below the level is dropped, but its metrics
 * are written as a short EMF-only line (dimensions and values, no ids) so counts stay complete.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'INFO');
  const now = options.now ?? (() => Date.now());
  const buffer = options.metricBuffer;
  const detail = options.metricDetail ?? 'route';
  const emit = (level: LogLevel, event: string, fields: LogFields = {}, given: readonly MetricPoint[] = []) => {
    let metrics = given;
    if (buffer !== undefined && metrics.length > 0 && LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf('WARN')) {
      const routine = metrics.filter((m) => !ALARM_SIGNAL_METRICS.has(m.name));
      if (routine.length > 0) buffer.add(dimensionValues(fields, routine, detail), routine.map(resolvePoint), now());
      metrics = metrics.filter((m) => ALARM_SIGNAL_METRICS.has(m.name));
    }
    if (LOG_LEVELS.indexOf(level) < threshold) {
      if (metrics.length > 0) write(JSON.stringify(metricsOnly(fields, metrics, now(), detail)));
      return;
    }
    const { error, ...rest } = fields;
    write(JSON.stringify({
      level,
      event,
      ...rest,
      ...(error === undefined ? {} : { error: describeError(error) }),
      ...(metrics.length > 0 ? embeddedMetrics(fields, metrics.map(resolvePoint), now(), detail) : {}),
    }));
  };
  return {
    debug: (event, fields, metrics) => emit('DEBUG', event, fields, metrics),
    info: (event, fields, metrics) => emit('INFO', event, fields, metrics),
    warn: (event, fields, metrics) => emit('WARN', event, fields, metrics),
    error: (event, fields, metrics) => emit('ERROR', event, fields, metrics),
    flush: (force) => {
      for (const line of buffer?.drain(now(), force) ?? []) write(JSON.stringify(summedLine(line, detail)));
    },
  };
}

function resolvePoint(point: MetricPoint): BufferedMetric {
  return { name: point.name, unit: point.unit ?? 'Count', value: point.value ?? 1, ...(point.by === undefined ? {} : { by: point.by }) };
}

/** A metric ready for encoding: one point's value, or the values a {@link MetricBuffer} gathered. */
type EncodedMetric = BufferedLine['metrics'][number];

/**
 * The EMF members of a line: each metric's value under its name, and the `_aws` directive. Two
 * dimension sets: the detail (`provider`+`route`, or `provider` alone at {@link MetricDetail}
 * `provider`; + `by`) and `by` alone (or none) for the whole deployment. Never both detail sets: each
 * set is one more billed metric, and alarms per provider sum that provider's routes (known at synth).
 * A line without the detail's fields (an unknown route, an unparseable job) has only the second set.
 */
export function embeddedMetrics(fields: object, metrics: readonly EncodedMetric[], timestamp: number, detail: MetricDetail = 'route'): Record<string, unknown> {
  const present = fields as Readonly<Record<string, unknown>>;
  const values: Record<string, number | readonly number[]> = {};
  const groups = new Map<string, { dimensions: string[][]; metrics: Array<{ Name: string; Unit: string }> }>();
  for (const metric of metrics) {
    values[metric.name] = metric.value;
    const extra = metric.by === undefined || present[metric.by] === undefined ? [] : [metric.by];
    const key = extra.join();
    let group = groups.get(key);
    if (group === undefined) {
      const { provider, route } = METRIC_DIMENSIONS;
      const located = present.provider !== undefined && (detail === 'provider' || present.route !== undefined);
      const where = detail === 'provider' ? [provider] : [provider, route];
      const dimensions = located ? [[...where, ...extra], extra] : [extra];
      group = { dimensions, metrics: [] };
      groups.set(key, group);
    }
    group.metrics.push({ Name: metric.name, Unit: metric.unit });
  }
  return {
    ...values,
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [...groups.values()].map((group) => ({
        Namespace: METRIC_NAMESPACE,
        Dimensions: group.dimensions,
        Metrics: group.metrics,
      })),
    },
  };
}

/** A dropped line's metrics: only the dimension fields and the values, for CloudWatch to extract. */
function metricsOnly(fields: LogFields, metrics: readonly MetricPoint[], timestamp: number, detail: MetricDetail): Record<string, unknown> {
  const dimensions = dimensionValues(fields, metrics, detail);
  return { ...dimensions, ...embeddedMetrics(dimensions, metrics.map(resolvePoint), timestamp, detail) };
}

/** A buffer's summed line: its dimension values and metrics, no level and no ids. */
function summedLine(line: BufferedLine, detail: MetricDetail): Record<string, unknown> {
  return { ...line.dimensions, ...embeddedMetrics(line.dimensions, line.metrics, line.timestamp, detail) };
}

/** The fields the metrics' dimensions read: provider, route, and each metric's `by` field. */
function dimensionValues(fields: LogFields, metrics: readonly MetricPoint[], detail: MetricDetail): Record<string, string> {
  const dimensions: Record<string, string> = {};
  // At provider detail the route stays out of the summed lines too: one sum per provider, not per account.
  const where = detail === 'provider' ? [METRIC_DIMENSIONS.provider] : [METRIC_DIMENSIONS.provider, METRIC_DIMENSIONS.route];
  const names = new Set<string>([...where, ...metrics.flatMap((m) => (m.by ? [m.by] : []))]);
  for (const name of names) {
    const value = fields[name as keyof LogFields];
    if (typeof value === 'string') dimensions[name] = value;
  }
  return dimensions;
}

/** The same logger with the invocation's request id on every line. */
export function withRequestId(log: Logger, requestId: string | undefined): Logger {
  if (requestId === undefined || requestId === '') return log;
  const add = (fields?: LogFields): LogFields => ({ requestId, ...fields });
  return {
    debug: (event, fields, metrics) => log.debug(event, add(fields), metrics),
    info: (event, fields, metrics) => log.info(event, add(fields), metrics),
    warn: (event, fields, metrics) => log.warn(event, add(fields), metrics),
    error: (event, fields, metrics) => log.error(event, add(fields), metrics),
    ...(log.flush === undefined ? {} : { flush: log.flush }),
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

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
