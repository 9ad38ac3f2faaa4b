import type { MetricDetail } from '../functions/core/telemetry/logger';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE, METRICS, type MetricName } from '../functions/core/telemetry/telemetry-names';
import { redactorMetric } from './redactor-alarms';

const PERIOD = Duration.minutes(5);

/** Props of {@link RedactorDashboard}. */
export interface RedactorDashboardProps {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  /** Whether the sweep exists (its row is left out otherwise). */
  readonly sweep: boolean;
  /** How the functions break their metrics down (by route, or by provider only). */
  readonly metricDetail: MetricDetail;
}

/** One series per value of the given dimensions, found by CloudWatch search (dashboards only). */
function searchBy(name: MetricName, dimensions: readonly string[], label: string): cloudwatch.MathExpression {
  const schema = [METRIC_NAMESPACE, ...dimensions].join(',');
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${name}"', 'Sum', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    label,
    period: PERIOD,
  });
}

/**
 * The operator's dashboard. Top row, left to right, the path a message takes: callbacks → queue →
 * redactions → dead-letter queue. Below: time-to-redact p50/p99, outcomes by provider, backlog age,
 * and the sweep.
 */
export class RedactorDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: RedactorDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    const graph = (title: string, left: cloudwatch.IMetric[], options: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: 6, height: 6, ...options });

    this.dashboard.addWidgets(
      graph('1. Callbacks', [
        redactorMetric(METRICS.callbacksAccepted, {}, { label: 'accepted (job queued)' }),
        redactorMetric(METRICS.callbacksIgnored, {}, { label: 'ignored (not final)' }),
        searchBy(METRICS.callbacksRefused, ['reason'], 'refused'),
        redactorMetric(METRICS.callbackServerErrors, {}, { label: '5xx answered' }),
      ]),
      graph('2. Redaction queue', [
        props.queue.metricNumberOfMessagesSent({ period: PERIOD, label: 'jobs sent' }),
        props.queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: 'waiting' }),
        props.queue.metricApproximateNumberOfMessagesNotVisible({ period: PERIOD, statistic: 'Maximum', label: 'in flight or delayed' }),
      ]),
      graph('3. Redactions', [
        searchBy(METRICS.redactionOutcomes, ['outcome'], 'outcome'),
        redactorMetric(METRICS.redactionRetries, {}, { label: 'retries' }),
        redactorMetric(METRICS.redactionCrashes, {}, { label: 'crashes' }),
      ]),
      graph('4. Dead-letter queue', [
        searchBy(METRICS.deadLetters, ['reason'], 'dead-lettered'),
      ], {
        right: [props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: 'parked (depth)' })],
      }),
    );
    this.dashboard.addWidgets(
      graph('Time to redact (terminal callback → body blank)', [
        redactorMetric(METRICS.timeToRedact, { outcome: 'redacted' }, { statistic: 'p50', label: 'p50' }),
        redactorMetric(METRICS.timeToRedact, { outcome: 'redacted' }, { statistic: 'p99', label: 'p99' }),
      ], { leftYAxis: { label: 'ms', showUnits: false } }),
      graph('Outcomes by provider', [props.metricDetail === 'provider'
        ? searchBy(METRICS.redactionOutcomes, ['outcome', 'provider'], 'outcome by provider')
        : searchBy(METRICS.redactionOutcomes, ['outcome', 'provider', 'route'], 'outcome by provider and route')]),
      graph('Backlog age (oldest job)', [
        props.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum', label: 'oldest job (s)' }),
      ]),
      ...(props.sweep
        ? [graph('Reconciliation sweep', [
            redactorMetric(METRICS.sweepListed, {}, { label: 'listed' }),
            redactorMetric(METRICS.sweepEnqueued, {}, { label: 'enqueued' }),
            redactorMetric(METRICS.recoveredBySweep, { outcome: 'redacted' }, { label: 'redacted from sweep jobs' }),
            redactorMetric(METRICS.sweepPagesFailed, {}, { label: 'pages failed' }),
          ])]
        : []),
    );
  }
}
