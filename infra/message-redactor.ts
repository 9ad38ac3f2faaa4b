import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { parseAccounts, type AccountsEntryInput } from '../functions/core/config/config';
import { RECEIVER_ENV, REDACTOR_ENV, SWEEP_ENV } from '../functions/core/config/lambda-env';
import type { LogLevel } from '../functions/core/telemetry/logger';
import { PROVIDER_CAPABILITIES } from '../functions/core/provider-rules/provider-capabilities';
import type { ProviderName } from '../functions/core/provider-rules/provider-name';
import { EXPECTED_DEAD_LETTER_REASON, METRIC_NAMESPACE, METRICS } from '../functions/core/telemetry/telemetry-names';
import { allAlarms, RedactorAlarms, redactorMetric, type MessageRedactorAlarms } from './redactor-alarms';
import { RedactorDashboard } from './redactor-dashboard';
import { importAccountSecrets } from './account-secrets';
import { createAccountsLayer } from './accounts-layer';
import { assertEnvironmentFits } from './lambda-environment';
import { resolveMessageRedactorProps } from './resolve-props';
import type { RouteThrottling } from './route-throttling';
import { createHandlerFunction, grantSendMessage, handlerEnvironment } from './handler-function';
import { warnIfBatchOutlastsTimeout } from './redactor-timeout';
import { createCallbackHttpApi } from './callback-http-api';
import { ReconciliationSweep, type ReconciliationSweepProps } from './reconciliation-sweep';

export type { RouteThrottling } from './route-throttling';
export type { MessageRedactorAlarms } from './redactor-alarms';
export { METRIC_NAMESPACE };

/**
 * How providers reach the receiver. `http-api`: API Gateway HTTP API with throttling, access logs and
 * room for a custom domain. `function-url`: a Lambda Function URL, about two thirds cheaper per
 * callback, but with no throttling (cap the receiver with reserved concurrency if needed), no access
 * logs of its own and no custom domain without CloudFront in front.
 */
export type CallbackEndpoint = 'http-api' | 'function-url';

/**
 * What the stack holds per account. `per-account`: a `POST /callbacks/<route>` route each (a made-up
 * path gets API Gateway's 404 without invoking the receiver; each route has its own throttle) and
 * metrics by provider and route. `shared`: one `POST /callbacks/{route}` route for every account (the
 * receiver answers 404 for an unknown route) and metrics by provider (log lines still name the route):
 * the resource count and the metric bill stay flat from ten accounts to ten thousand.
 */
export type AccountResources = 'per-account' | 'shared';

/** Props of {@link MessageRedactor}. Every prop but `accounts` has a safe default. */
export interface MessageRedactorProps {
  /**
   * The provider accounts, exactly as in the accounts config file. Validated at synth with the same
   * schema the functions use at cold start, and against both provider registries.
   */
  readonly accounts: readonly AccountsEntryInput[];
  /**
   * Per-account routes and metric series, or one shared route and metrics by provider (see
   * {@link AccountResources}). `routeThrottling` needs `per-account`.
   * @default - 'per-account' up to 100 accounts, 'shared' above
   */
  readonly accountResources?: AccountResources;
  /**
   * Grant the functions every secret whose name starts with this prefix (e.g. `message-redactor/`),
   * in one statement, instead of each account's secret by name. Needed above 100 distinct secrets,
   * where by-name grants outgrow IAM's policy size limits; every `secretId` and `signingSecretId`
   * must then start with it. The receiver may then read the API secrets under the prefix as well.
   * @default - each secret granted by name (the receiver only the signing secrets)
   */
  readonly secretNamePrefix?: string;
  /**
   * How providers reach the receiver (see {@link CallbackEndpoint} for the trade-offs).
   * @default 'http-api'
   */
  readonly endpoint?: CallbackEndpoint;
  /**
   * Memory of the receiver function, in MB.
   * @default 256
   */
  readonly receiverMemorySize?: number;
  /**
   * Timeout of the receiver function (at most 29 s: HTTP API ends the integration at 30 s).
   * @default Duration.seconds(10)
   */
  readonly receiverTimeout?: Duration;
  /**
   * Memory of the redactor function, in MB.
   * @default 256
   */
  readonly redactorMemorySize?: number;
  /**
   * Timeout of the redactor function, for one whole batch. The queue's visibility timeout is six times this.
   * @default - long enough for the worst-case batch of these accounts: for each account,
   * ceil(batchSize / the requests it may have in flight, providerConcurrency or less when its share of
   * maxConcurrentRequests is smaller) × the most requests one of its jobs can make (CarrierX 4, media
   * deletion 13) × httpTimeout, plus 5 s; at least 30 s, at most 15 minutes
   */
  readonly redactorTimeout?: Duration;
  /**
   * Most concurrent redactor invocations the SQS event source starts (ScalingConfig.MaximumConcurrency, 2-1000):
   * the main limit on the request rate at the providers. Each invocation may have
   * floor(maxConcurrentRequests / maxConcurrency) requests in flight per account, so every account's
   * `maxConcurrentRequests` must be at least this.
   * @default 5
   */
  readonly maxConcurrency?: number;
  /**
   * Records per redactor invocation (above 10 requires `maxBatchingWindow`).
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long the event source gathers records before invoking the redactor.
   * @default - no batching window
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Records of one batch the redactor processes concurrently (PROVIDER_CONCURRENCY, 1-100).
   * @default 10
   */
  readonly providerConcurrency?: number;
  /**
   * Timeout of one provider API request (HTTP_TIMEOUT_MS); must be shorter than `redactorTimeout`.
   * @default Duration.seconds(10)
   */
  readonly httpTimeout?: Duration;
  /**
   * Deliveries of one job (2-1000). On the last one the redactor dead-letters a still-failing job
   * itself with reason `gave-up`; SQS's own redrive at this count is the backstop for crash loops.
   * With the default backoff (full jitter, capped at 1 h for transient errors) 100 deliveries ride
   * out about two days of provider outage; raise it (up to 1000) to ride out longer ones. A job
   * waiting for `redactAfterSeconds` / `sentAgeSeconds` spends one receive per 12 hours of wait: synth
   * refuses a count that the longest wait plus the retries after it would use up.
   * @default 100
   */
  readonly maxReceiveCount?: number;
  /**
   * Customer-managed KMS key for both queues.
   * @default - SQS-managed server-side encryption (SSE-SQS)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Overrides for the redaction queue. Encryption, TLS, retention (14 days) and the dead-letter queue
   * are controlled by the construct; setting them here is a conflict.
   * @default - a standard queue with a visibility timeout of 6 × redactorTimeout (+ maxBatchingWindow)
   */
  readonly queueProps?: sqs.QueueProps;
  /**
   * Overrides for the dead-letter queue, with the same controlled settings as `queueProps`.
   * @default - a standard queue
   */
  readonly deadLetterQueueProps?: sqs.QueueProps;
  /**
   * Burst limit of each account's callback route, in requests. Every route (`POST /callbacks/<route>`)
   * has its own limit, so a flood on one account's URL cannot starve the others; paths that match no
   * route get API Gateway's 404 without reaching the receiver.
   * @default 500
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Steady-state rate limit of each account's callback route, in requests per second.
   * @default 200
   */
  readonly throttlingRateLimit?: number;
  /**
   * Per-account route throttles, keyed by the account's `route` (e.g. a higher rate for a high-volume
   * account); a limit left out keeps `throttlingBurstLimit` / `throttlingRateLimit`. A key that is not a
   * configured route fails the synth.
   * @default - every route gets throttlingBurstLimit and throttlingRateLimit
   */
  readonly routeThrottling?: Readonly<Record<string, RouteThrottling>>;
  /**
   * Retention of the functions' and the API's log groups.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Level of the functions' own log lines (JSON log format). WARN writes only what needs a look
   * (refusals, not-found answers, dead letters, errors): with the summed metrics, a few bytes per
   * redacted message. INFO adds one line per decision, an audit trail of ids and statuses (about 500
   * bytes per message, $0.23 more per million); DEBUG adds a line per non-final callback. Metrics are
   * the same at every level: routine counts are summed into a few lines a minute; alarm signals and
   * the metrics of WARN and ERROR lines are written at once. Lambda's START/END/REPORT lines are not
   * written (system log level WARN).
   * @default 'WARN'
   */
  readonly logLevel?: LogLevel;
  /**
   * A CloudWatch dashboard: callbacks → queue → redactions → DLQ, time-to-redact, outcomes by
   * provider, backlog age and the sweep. About $3 a month; `false` leaves it out.
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * What happens to the dead-letter queue when the stack is deleted. It holds the jobs whose bodies
   * are still at the provider (CarrierX's among them), so by default it outlives the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly deadLetterQueueRemovalPolicy?: RemovalPolicy;
  /**
   * Actions every alarm of the construct triggers (e.g. an SNS topic action).
   * @default - no actions: the alarms only change state
   */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
  /**
   * Alarm when the oldest job in the redaction queue is at least this old. Must exceed the longest
   * account `redactAfterSeconds`, since waiting jobs count as old.
   * @default - 1 hour, or 1 hour beyond the longest redactAfterSeconds
   */
  readonly oldestMessageAgeAlarmThreshold?: Duration;
  /**
   * Alarm when at least this many retries are scheduled in each of three consecutive 5-minute periods.
   * @default 100
   */
  readonly retryAlarmThreshold?: number;
  /**
   * Alarm when the dead-letter queue holds at least this many jobs.
   * @default 1
   */
  readonly dlqDepthAlarmThreshold?: number;
  /**
   * How long the functions cache a secret value (SECRET_MAX_AGE_SECONDS); a rotated secret is picked up
   * within this time, or at once after a provider 401.
   * @default Duration.minutes(5)
   */
  readonly secretMaxAge?: Duration;
  /**
   * How long the receiver caches a Twilio subaccount's auth token, fetched with its parent's
   * credentials (SUBACCOUNT_TOKEN_MAX_AGE_SECONDS). A rotated token is fetched again at the first
   * callback it fails to verify (at most once a minute per subaccount), so this bounds how often the
   * receiver calls Twilio, not how long a rotation takes.
   * @default Duration.hours(1)
   */
  readonly subaccountTokenMaxAge?: Duration;
  /**
   * The scheduled reconciliation sweep over each account's message list at the provider: it redacts
   * what no callback announced (callbacks refused, failed or never sent, history from before the
   * deployment) and serves retention windows longer than a queued job can wait (above 12 hours).
   * `false` turns it off, which the construct refuses while an account's retention needs it.
   * @default - on, every hour, reading 48 hours back beyond each account's retention
   */
  readonly sweep?: ReconciliationSweepProps | false;
  /**
   * Largest callback body the receiver accepts, in bytes (MAX_CALLBACK_BYTES); larger ones get 413.
   * @default 65536
   */
  readonly maxCallbackBytes?: number;
}

/** CloudWatch metrics (namespace `MessageRedactor`) the functions write as EMF, across all accounts. */
export interface MessageRedactorMetrics {
  /** Jobs dead-lettered because the provider's API cannot blank the body (CarrierX): expected, not alarmed. */
  readonly providerCannotRedact: cloudwatch.Metric;
  /** Redactions acked on a 404 (the message is gone, or the account/apiBaseUrl is wrong). */
  readonly notFound: cloudwatch.Metric;
  /** Retries scheduled (transient, throttled, not final yet). */
  readonly retries: cloudwatch.Metric;
  /** Terminal callback → body redacted, in milliseconds (use a percentile statistic). */
  readonly timeToRedact: cloudwatch.Metric;
}

/**
 * Receives SMS provider status callbacks on an HTTP API and redacts message bodies at the provider
 * behind an encrypted SQS queue with a dead-letter queue (docs/architecture.md). Secrets are referenced,
 * never created; each function may read only the accounts' secrets, and the receiver only an account's
 * signing secret when it has one.
 */
export class MessageRedactor extends Construct {
  /** The HTTP API with one `POST /callbacks/<route>` route per account (endpoint `http-api`). */
  public readonly httpApi?: apigwv2.HttpApi;
  /** The receiver's Function URL (endpoint `function-url`). */
  public readonly functionUrl?: lambda.FunctionUrl;
  /** Base URL of the callbacks: configure `${callbackUrl}${route}` at the provider. */
  public readonly callbackUrl: string;
  /** Authenticates callbacks and enqueues redaction jobs. */
  public readonly receiver: lambda.Function;
  /** Consumes the queue and calls the provider APIs. */
  public readonly redactor: lambda.Function;
  /** The redaction job queue. */
  public readonly queue: sqs.Queue;
  /** Jobs that failed for good, with a reason attribute (or redriven after `maxReceiveCount` receives). */
  public readonly deadLetterQueue: sqs.Queue;
  /** The functions' EMF metrics across all accounts (per provider and route: {@link redactorMetric}). */
  public readonly metrics: MessageRedactorMetrics;
  /** CloudWatch alarms, all with `alarmActions` applied. */
  public readonly alarms: MessageRedactorAlarms;
  /** The operator's dashboard (undefined when `dashboard: false`). */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** The reconciliation sweep's function (undefined when `sweep: false`). */
  public readonly sweepFunction?: lambda.Function;
  /** The sweep's page queue, its DLQ and schedules (undefined when `sweep: false`). */
  public readonly sweep?: ReconciliationSweep;
  /** The accounts config (`/opt/message-redactor/accounts.json`), a layer of every function. */
  public readonly accountsLayer: lambda.LayerVersion;

  constructor(scope: Construct, id: string, props: MessageRedactorProps) {
    super(scope, id);
    // Same validation as the cold start: a bad config fails the synth, naming the key.
    const accounts = parseAccounts(props.accounts);
    const settings = resolveMessageRedactorProps(props, accounts);
    const secrets = importAccountSecrets(this, accounts, props.secretNamePrefix);
    // The accounts travel as a file in a layer, not in the 4 KB environment: thousands fit.
    this.accountsLayer = createAccountsLayer(this, 'AccountsConfig', props.accounts).layer;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', settings.deadLetterQueueProps);
    this.deadLetterQueue.applyRemovalPolicy(settings.deadLetterQueueRemovalPolicy);
    this.queue = new sqs.Queue(this, 'Queue', {
      ...settings.queueProps,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    });

    this.receiver = createHandlerFunction(this, 'Receiver', settings, this.accountsLayer, {
      handler: 'receiver',
      description: 'Authenticates SMS provider status callbacks and enqueues redaction jobs',
      memorySize: settings.receiverMemorySize,
      timeout: settings.receiverTimeout,
      secrets: secrets.receiver,
      environment: {
        [RECEIVER_ENV.queueUrl]: this.queue.queueUrl,
        [RECEIVER_ENV.secretMaxAgeSeconds]: String(settings.secretMaxAge.toSeconds()),
        [RECEIVER_ENV.maxBodyBytes]: String(settings.maxCallbackBytes),
        ...(accounts.some((account) => account.subaccountSid !== undefined)
          ? { [RECEIVER_ENV.subaccountTokenMaxAgeSeconds]: String(settings.subaccountTokenMaxAge.toSeconds()) }
          : {}),
      },
    });
    grantSendMessage(this.receiver, this.queue, settings.encryptionKey);

    this.redactor = createHandlerFunction(this, 'Redactor', settings, this.accountsLayer, {
      handler: 'redactor',
      description: 'Redacts message bodies at the SMS provider for queued redaction jobs',
      memorySize: settings.redactorMemorySize,
      timeout: settings.redactorTimeout,
      secrets: secrets.redactor,
      environment: {
        [REDACTOR_ENV.queueUrl]: this.queue.queueUrl,
        [REDACTOR_ENV.deadLetterQueueUrl]: this.deadLetterQueue.queueUrl,
        [REDACTOR_ENV.secretMaxAgeSeconds]: String(settings.secretMaxAge.toSeconds()),
        [REDACTOR_ENV.providerConcurrency]: String(settings.providerConcurrency),
        [REDACTOR_ENV.httpTimeoutMs]: String(settings.httpTimeout.toMilliseconds()),
        // The redactor gives up with a reason on the last receive, before the redrive moves the job.
        [REDACTOR_ENV.maxReceiveCount]: String(settings.maxReceiveCount),
        // Bounds when a batch was received, so visibility changes stay within 12 h of the receive.
        [REDACTOR_ENV.maxBatchingWindowSeconds]: String(settings.maxBatchingWindow?.toSeconds() ?? 0),
        // A throttled event source may start the invocation up to one visibility timeout after the receive.
        [REDACTOR_ENV.queueVisibilityTimeoutSeconds]: queueVisibilitySeconds(settings.queueProps.visibilityTimeout),
        // Each execution environment takes 1/maxConcurrency of every account's request limit.
        [REDACTOR_ENV.maxConcurrency]: String(settings.maxConcurrency),
      },
    });
    // Permanent failures are dead-lettered by the redactor itself, with a reason attribute.
    grantSendMessage(this.redactor, this.deadLetterQueue, settings.encryptionKey);
    // Retries are delayed with ChangeMessageVisibility. The event source mapping grants it too (with
    // Receive/Delete); stated here because the retry policy depends on it.
    this.queue.grant(this.redactor, 'sqs:ChangeMessageVisibility');
    this.redactor.addEventSource(new SqsEventSource(this.queue, {
      batchSize: settings.batchSize,
      ...(settings.maxBatchingWindow === undefined ? {} : { maxBatchingWindow: settings.maxBatchingWindow }),
      reportBatchItemFailures: true,
      maxConcurrency: settings.maxConcurrency,
    }));
    warnIfBatchOutlastsTimeout(this, accounts, settings);

    if (settings.endpoint === 'function-url') {
      // Unauthenticated by design, like the HTTP API route: providers cannot sign with SigV4, and the
      // receiver verifies every callback's provider signature before anything else.
      this.functionUrl = this.receiver.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
      this.callbackUrl = `${this.functionUrl.url}callbacks/`;
    } else {
      this.httpApi = createCallbackHttpApi(this, this.receiver, settings, accounts);
      this.callbackUrl = `${this.httpApi.apiEndpoint}/callbacks/`;
    }
    this.metrics = {
      providerCannotRedact: redactorMetric(METRICS.deadLetters, { reason: EXPECTED_DEAD_LETTER_REASON }),
      notFound: redactorMetric(METRICS.redactionOutcomes, { outcome: 'not-found' }),
      retries: redactorMetric(METRICS.redactionRetries),
      timeToRedact: redactorMetric(METRICS.timeToRedact, { outcome: 'redacted' }, { statistic: 'p99' }),
    };
    const routesByProvider = new Map<ProviderName, string[]>();
    for (const account of accounts) routesByProvider.set(account.provider, [...(routesByProvider.get(account.provider) ?? []), account.route]);
    const providers = [...routesByProvider.keys()];
    this.alarms = new RedactorAlarms(this, 'Alarms', {
      receiver: this.receiver,
      redactor: this.redactor,
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      routesByProvider,
      metricDetail: settings.accountResources === 'shared' ? 'provider' : 'route',
      expectsCannotRedact: providers.some((provider) => PROVIDER_CAPABILITIES[provider].expectsCannotRedact),
      oldestMessageAgeThreshold: settings.oldestMessageAgeAlarmThreshold,
      retryAlarmThreshold: settings.retryAlarmThreshold,
      dlqDepthAlarmThreshold: settings.dlqDepthAlarmThreshold,
    }).alarms;
    for (const alarm of allAlarms(this.alarms)) alarm.addAlarmAction(...settings.alarmActions);

    if (settings.sweep !== undefined) {
      const sweep = settings.sweep;
      const sweepBaseEnvironment: Record<string, string> = {
        [SWEEP_ENV.queueUrl]: this.queue.queueUrl,
        [SWEEP_ENV.secretMaxAgeSeconds]: String(settings.secretMaxAge.toSeconds()),
        [SWEEP_ENV.httpTimeoutMs]: String(settings.httpTimeout.toMilliseconds()),
        [SWEEP_ENV.pageSize]: String(sweep.pageSize),
        [SWEEP_ENV.intervalSeconds]: String(sweep.interval.toSeconds()),
        [SWEEP_ENV.lateStatusSeconds]: String(sweep.lateStatusWindow.toSeconds()),
        [SWEEP_ENV.settleSeconds]: String(sweep.settleTime.toSeconds()),
      };
      this.sweepFunction = createHandlerFunction(this, 'Sweep', settings, this.accountsLayer, {
        handler: 'sweep',
        description: "Reconciles each account's message list at the provider: redacts what no callback announced",
        memorySize: sweep.memorySize,
        timeout: sweep.timeout,
        // It lists messages with the API credentials; it never needs the receiver's signing secrets.
        secrets: secrets.redactor,
        environment: sweepBaseEnvironment,
      });
      // It feeds the one redaction queue: retries, DLQ, metrics and alarms stay one path.
      grantSendMessage(this.sweepFunction, this.queue, settings.encryptionKey);
      this.sweep = new ReconciliationSweep(this, 'Sweep', {
        fn: this.sweepFunction,
        sweep,
        accounts,
        ...(settings.encryptionKey === undefined ? {} : { encryptionKey: settings.encryptionKey }),
      });
      for (const alarm of this.sweep.createAlarms(this.sweepFunction)) alarm.addAlarmAction(...settings.alarmActions);
      // The page queue, table and bucket were added after the function: the 4 KB limit counts them too.
      assertEnvironmentFits('Sweep', handlerEnvironment(settings, { ...sweepBaseEnvironment, ...this.sweep.environment }));
    }
    if (settings.dashboard) {
      this.dashboard = new RedactorDashboard(this, 'Dashboard', {
        queue: this.queue,
        deadLetterQueue: this.deadLetterQueue,
        sweep: settings.sweep !== undefined,
        metricDetail: settings.accountResources === 'shared' ? 'provider' : 'route',
      }).dashboard;
    }
  }
}

/** The queue's visibility timeout for the redactor's environment (SQS's default 30 s when unset; 0 if only known at deploy). */
function queueVisibilitySeconds(visibilityTimeout: Duration | undefined): string {
  if (visibilityTimeout === undefined) return '30';
  return visibilityTimeout.isUnresolved() ? '0' : String(visibilityTimeout.toSeconds());
}
