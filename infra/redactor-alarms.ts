import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MetricDetail } from '../functions/core/telemetry/logger';
import type { ProviderName } from '../functions/core/provider-rules/provider-name';
import {
  ACKED_OUTCOMES,
  EXPECTED_DEAD_LETTER_REASON,
  FAILURE_DEAD_LETTER_REASONS,
  METRIC_NAMESPACE,
  METRICS,
  MISCONFIGURATION_REFUSALS,
  type MetricName,
} from '../functions/core/telemetry/telemetry-names';

const FIVE_MINUTES = Duration.minutes(5);

/**
 * One of the functions' EMF metrics (a Sum over 5 minutes unless said otherwise). Dimensions must be
 * one of the sets the logger writes: `{}` or `{ provider, route }` (`{ provider }` at metric detail
 * `provider`), each optionally with `reason` or `outcome`.
 */
export function redactorMetric(
  name: MetricName,
  dimensions: Readonly<Record<string, string>> = {},
  options: { readonly statistic?: string; readonly label?: string; readonly period?: Duration } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { ...dimensions },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? FIVE_MINUTES,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
}

/** A sum of metrics as one series; a period without data counts as 0. Ids are `<idPrefix><n>`. */
export function sumOf(label: string, metrics: readonly cloudwatch.IMetric[], idPrefix = 'm'): cloudwatch.MathExpression {
  const usingMetrics = Object.fromEntries(metrics.map((metric, i) => [`${idPrefix}${i}`, metric]));
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '),
    usingMetrics,
    label,
    period: FIVE_MINUTES,
  });
}

/** What the alarms watch. */
export interface RedactorAlarmsProps {
  readonly receiver: lambda.IFunction;
  readonly redactor: lambda.IFunction;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  /** The configured accounts' routes by provider: one retries alarm per provider, over its routes. */
  readonly routesByProvider: ReadonlyMap<ProviderName, readonly string[]>;
  /** How the functions break their metrics down: by route, or (many accounts) by provider only. */
  readonly metricDetail: MetricDetail;
  /** An account's provider may be unable to redact: DLQ depth is then no alarm (its arrivals by reason are). */
  readonly expectsCannotRedact: boolean;
  readonly oldestMessageAgeThreshold: Duration;
  readonly retryAlarmThreshold: number;
  readonly dlqDepthAlarmThreshold: number;
}

/** The construct's alarms, by what they watch. Each description says what to do first. */
export interface MessageRedactorAlarms {
  /**
   * Jobs parked in the dead-letter queue (undefined when an account's provider may be unable to redact,
   * e.g. CarrierX: its expected dead letters would keep this alarm on; `deadLetterArrivals` covers it).
   */
  readonly deadLetterQueueDepth?: cloudwatch.Alarm;
  /** Jobs the redactor dead-lettered for a reason other than the provider being unable to redact. */
  readonly deadLetterArrivals: cloudwatch.Alarm;
  /** Jobs waiting too long in the redaction queue (redactor down, throttled or too slow). */
  readonly oldestMessageAge: cloudwatch.Alarm;
  /** Receiver invocations that failed (crash or bad configuration: providers may retry). */
  readonly receiverErrors: cloudwatch.Alarm;
  /** Redactor invocations that failed as a whole (crash, timeout or bad configuration). */
  readonly redactorErrors: cloudwatch.Alarm;
  /** Receiver invocations refused by Lambda for lack of concurrency (callbacks answered 429/5xx). */
  readonly receiverThrottles: cloudwatch.Alarm;
  /** Redactor invocations throttled by Lambda (the queue backs up). */
  readonly redactorThrottles: cloudwatch.Alarm;
  /** Records the redactor crashed on (a bug): they are retried, then redriven without a reason. */
  readonly redactionCrashes: cloudwatch.Alarm;
  /** Sustained retries at one provider (outage or throttling), by provider (`twilio-2` for its 11th-20th routes). */
  readonly retriesByProvider: Readonly<Record<string, cloudwatch.Alarm>>;
  /** A high share of callbacks refused for a bad signature or token: a wrong secret or callback URL. */
  readonly refusedCallbacks: cloudwatch.Alarm;
  /** The receiver answered 5xx (queue or secret unavailable): Twilio does not retry these by default. */
  readonly receiverServerErrors: cloudwatch.Alarm;
  /** A high share of redactions answered 404: a wrong account, region or apiBaseUrl. */
  readonly notFoundRate: cloudwatch.Alarm;
}

/** Every alarm of a {@link MessageRedactorAlarms}, flattened. */
export function allAlarms(alarms: MessageRedactorAlarms): cloudwatch.Alarm[] {
  const { retriesByProvider, ...rest } = alarms;
  return [...Object.values(rest).filter((a): a is cloudwatch.Alarm => a !== undefined), ...Object.values(retriesByProvider)];
}

/** The alarms of the redaction path, from SQS and Lambda metrics and the functions' EMF metrics. */
export class RedactorAlarms extends Construct {
  public readonly alarms: MessageRedactorAlarms;

  constructor(scope: Construct, id: string, props: RedactorAlarmsProps) {
    super(scope, id);
    const minute = Duration.minutes(1);
    // At or above the threshold, missing data is fine: the shape of every count and rate alarm here.
    const countAlarm = (alarmId: string, description: string, metric: cloudwatch.IMetric, threshold: number, evaluationPeriods = 1) =>
      new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    const refused = sumOf('callbacks refused (signature or token)',
      MISCONFIGURATION_REFUSALS.map((reason) => redactorMetric(METRICS.callbacksRefused, { reason })), 'r');
    const accepted = redactorMetric(METRICS.callbacksAccepted);
    const ignored = redactorMetric(METRICS.callbacksIgnored);
    const notFound = redactorMetric(METRICS.redactionOutcomes, { outcome: 'not-found' });
    const otherAcks = sumOf('other acked redactions', ACKED_OUTCOMES.filter((outcome) => outcome !== 'not-found')
      .map((outcome) => redactorMetric(METRICS.redactionOutcomes, { outcome })), 'o');

    this.alarms = {
      ...(props.expectsCannotRedact ? {} : {
        deadLetterQueueDepth: new cloudwatch.Alarm(this, 'DeadLetterQueueDepthAlarm', {
          alarmDescription: 'Redaction jobs are parked in the dead-letter queue. First: `npm run dlq -- list` to read each '
            + "job's reason; fix the cause (credentials, config), then `npm run dlq -- redrive`.",
          metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum' }),
          threshold: props.dlqDepthAlarmThreshold,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          // SQS publishes metrics only while a queue is active, and nothing polls the DLQ: when its data
          // stops, keep the last state instead of clearing the alarm while jobs are still parked.
          treatMissingData: cloudwatch.TreatMissingData.IGNORE,
        }),
      }),
      deadLetterArrivals: countAlarm('DeadLetterArrivalsAlarm',
        `The redactor dead-lettered jobs for a reason other than ${EXPECTED_DEAD_LETTER_REASON}. First: read the DeadLetters `
        + 'metric by reason on the dashboard (auth: rotate or fix the API secret; config / unknown-route: fix the accounts '
        + 'config; rejected: the provider refused the request), then `npm run dlq -- list` and redrive once fixed.',
        sumOf('dead letters (failures)', FAILURE_DEAD_LETTER_REASONS.map((reason) => redactorMetric(METRICS.deadLetters, { reason })), 'd'), 1),
      oldestMessageAge: new cloudwatch.Alarm(this, 'OldestMessageAgeAlarm', {
        // SQS leaves out of this metric a job received 3+ times (a retried one): it catches a stalled or
        // saturated redactor, not a provider outage, which the retries alarms catch.
        alarmDescription: 'The oldest redaction job has waited longer than expected. First: check the redactor errors and '
          + 'throttles alarms and its log group; if it is healthy but saturated, raise maxConcurrency.',
        metric: props.queue.metricApproximateAgeOfOldestMessage({ period: minute, statistic: 'Maximum' }),
        threshold: props.oldestMessageAgeThreshold.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      receiverErrors: this.functionAlarm('ReceiverErrorsAlarm', props.receiver.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        'The callback receiver failed (function errors > 0 in 5 minutes). First: read its log group for the error; '
        + 'a failure at cold start names the bad setting.'),
      redactorErrors: this.functionAlarm('RedactorErrorsAlarm', props.redactor.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        'The redactor failed a whole batch (function errors > 0 in 5 minutes). First: read its log group (timeouts show '
        + 'as "Task timed out"); a failure at cold start names the bad setting.'),
      receiverThrottles: this.functionAlarm('ReceiverThrottlesAlarm', props.receiver.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        'Lambda throttled the callback receiver: callbacks were refused. First: check the account\'s concurrency '
        + '(ConcurrentExecutions) and any reserved concurrency on the receiver.'),
      redactorThrottles: this.functionAlarm('RedactorThrottlesAlarm', props.redactor.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        'Lambda throttled the redactor: jobs wait longer. First: check the account\'s concurrency against maxConcurrency.'),
      redactionCrashes: countAlarm('RedactionCrashesAlarm',
        'The redactor hit a bug on a record (redaction.crashed in its log group): it is retried and, after maxReceiveCount, '
        + 'moved to the DLQ without a reason. First: read the error in the log line and report it.',
        redactorMetric(METRICS.redactionCrashes), 1),
      retriesByProvider: Object.fromEntries(routeGroups(props.routesByProvider, props.metricDetail).map(([key, provider, routes]) => [key, countAlarm(
        `RedactionRetries${alarmIdPart(key)}Alarm`,
        `Many ${provider} redactions are being retried (at least ${props.retryAlarmThreshold} in each of three 5-minute periods). `
        + `First: check ${provider}'s status page and the redactor log for redaction.retry codes (429: throttled, 5xx or `
        + 'timeout: provider outage); jobs give up after maxReceiveCount.',
        props.metricDetail === 'provider' ? redactorMetric(METRICS.redactionRetries, { provider }) : retriesOf(provider, routes),
        props.retryAlarmThreshold, 3)])),
      refusedCallbacks: countAlarm('RefusedCallbacksAlarm',
        'Over 10% of callbacks (at least 5 in 5 minutes) were refused for a missing or wrong signature or '
        + 'token: almost always misconfiguration. First: `npm run smoke -- --route <route>` names the problem; check the '
        + "callback URL at the provider against the stack's CallbackBaseUrl + route, and the signing secret.",
        new cloudwatch.MathExpression({
          expression: 'IF(refused >= 5, 100 * refused / (refused + FILL(accepted, 0) + FILL(ignored, 0)), 0)',
          usingMetrics: { refused, accepted, ignored },
          label: 'refused callbacks (%)',
          period: FIVE_MINUTES,
        }), 10),
      receiverServerErrors: countAlarm('ReceiverServerErrorsAlarm',
        'The receiver answered callbacks with 5xx (queue or secret unavailable). Twilio does not retry by default: those '
        + 'bodies wait for the sweep. First: read callback.failed lines in the receiver log group (error.name says which).',
        redactorMetric(METRICS.callbackServerErrors), 1),
      notFoundRate: countAlarm('NotFoundRateAlarm',
        'Over 20% of redactions (at least 5 in 5 minutes) got 404 from the provider: messages are looked up in '
        + 'the wrong place. First: check the account\'s secret (account SID / project) and apiBaseUrl for the route named in '
        + 'redaction.not-found lines.',
        new cloudwatch.MathExpression({
          expression: 'IF(FILL(notFound, 0) >= 5, 100 * FILL(notFound, 0) / (FILL(notFound, 0) + otherAcks), 0)',
          usingMetrics: { notFound, otherAcks },
          label: 'redactions not found (%)',
          period: FIVE_MINUTES,
        }), 20),
    };
  }

  private functionAlarm(id: string, metric: cloudwatch.IMetric, description: string): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

/** CloudWatch takes at most 10 metrics in one alarm. */
const MAX_METRICS_PER_ALARM = 10;

/**
 * A provider's routes in groups an alarm can sum: `twilio` for the first ten, `twilio-2` for the next
 * ten, and so on.
 */
function routeGroups(routesByProvider: ReadonlyMap<ProviderName, readonly string[]>, detail: MetricDetail): Array<[string, ProviderName, string[]]> {
  // By provider, the functions write the provider's sum themselves: one alarm each.
  if (detail === 'provider') return [...routesByProvider].map(([provider, routes]) => [provider, provider, [...routes]]);
  return [...routesByProvider].flatMap(([provider, routes]) => {
    const groups: Array<[string, ProviderName, string[]]> = [];
    for (let i = 0; i < routes.length; i += MAX_METRICS_PER_ALARM) {
      const n = i / MAX_METRICS_PER_ALARM + 1;
      groups.push([n === 1 ? provider : `${provider}-${n}`, provider, routes.slice(i, i + MAX_METRICS_PER_ALARM)]);
    }
    return groups;
  });
}

/** A provider's retries: the sum over its routes (the logger writes no provider-only dimension set). */
function retriesOf(provider: ProviderName, routes: readonly string[]): cloudwatch.IMetric {
  const metrics = routes.map((route) => redactorMetric(METRICS.redactionRetries, { provider, route }));
  return metrics.length === 1 ? metrics[0]! : sumOf(`${provider} retries`, metrics, 'p');
}

/** `signalwire-compat` → `SignalwireCompat`: a construct id part. */
function alarmIdPart(provider: string): string {
  return provider.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}
