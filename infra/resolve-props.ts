import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { RemovalPolicy } from 'aws-cdk-lib';
import { LAMBDA_LIMITS, SQS_LIMITS, minimumQueueVisibilitySeconds } from '../functions/core/config/aws-limits';
import type { Account } from '../functions/core/config/config';
import { LOG_LEVELS, type LogLevel } from '../functions/core/telemetry/logger';
import { receivesForRetries, receivesSpentWaiting } from '../functions/core/redaction/receive-budget';
import { longestQueuedWaitSeconds } from '../functions/core/callbacks/callback-decision';
import { DEFAULT_RETRY_POLICY } from '../functions/core/redaction/retry-policy';
import { shareProblem } from '../functions/core/redaction/request-share';
import { ConfigError } from '../functions/core/runtime/errors';
import { defaultMessageRedactorProps, defaultQueueProps, mergeDefined, PER_ACCOUNT_RESOURCES_MAX_ACCOUNTS, QUEUE_RETENTION } from './construct-defaults';
import { entryPathOf } from './account-secrets';
import { resolveSweep, type ResolvedSweep } from './reconciliation-sweep';
import type { AccountResources, CallbackEndpoint, MessageRedactorProps } from './message-redactor';
import { Checker, known, milliseconds, seconds } from './prop-checks';
import { resolveQueueProps } from './queue-props';
import { defaultRedactorTimeout } from './redactor-timeout';
import { resolveRouteThrottling, type ResolvedRouteThrottling } from './route-throttling';

/** The longest a waiting job is counted in ApproximateAgeOfOldestMessage: 15 min delay + two 12 h re-delays. */
const LONGEST_COUNTED_WAIT_SECONDS = SQS_LIMITS.maxDelaySeconds + 2 * SQS_LIMITS.maxTotalVisibilitySeconds;

/** API Gateway's default quota of routes per HTTP API. */
const HTTP_API_ROUTES_LIMIT = 300;

/** Every prop with a default, as the construct uses it after merging. */
export interface ResolvedMessageRedactorProps {
  readonly receiverMemorySize: number;
  readonly receiverTimeout: Duration;
  readonly redactorMemorySize: number;
  readonly redactorTimeout: Duration;
  readonly maxConcurrency: number;
  readonly batchSize: number;
  readonly maxBatchingWindow?: Duration;
  readonly providerConcurrency: number;
  readonly httpTimeout: Duration;
  readonly maxReceiveCount: number;
  readonly encryptionKey?: kms.IKey;
  readonly endpoint: CallbackEndpoint;
  readonly throttlingBurstLimit: number;
  readonly throttlingRateLimit: number;
  /** Set when the secrets are granted by their name prefix. */
  readonly secretNamePrefix?: string;
  /** Per-account routes and metrics, or one shared route and metrics by provider. */
  readonly accountResources: AccountResources;
  /** Each account's callback route throttle, by route (empty when `accountResources` is `shared`). */
  readonly routeThrottling: ReadonlyMap<string, ResolvedRouteThrottling>;
  readonly logRetention: logs.RetentionDays;
  readonly logLevel: LogLevel;
  readonly dashboard: boolean;
  readonly deadLetterQueueRemovalPolicy: RemovalPolicy;
  readonly alarmActions: readonly cloudwatch.IAlarmAction[];
  readonly oldestMessageAgeAlarmThreshold: Duration;
  readonly dlqDepthAlarmThreshold: number;
  readonly retryAlarmThreshold: number;
  readonly secretMaxAge: Duration;
  readonly subaccountTokenMaxAge: Duration;
  readonly maxCallbackBytes: number;
  /** Final props of the redaction queue: defaults < `queueProps` < what the construct controls. */
  readonly queueProps: sqs.QueueProps;
  /** Final props of the dead-letter queue: defaults < `deadLetterQueueProps` < what the construct controls. */
  readonly deadLetterQueueProps: sqs.QueueProps;
  /** The reconciliation sweep's options; undefined when it is turned off. */
  readonly sweep?: ResolvedSweep;
}

/**
 * Merges defaults < caller props < what the construct must control, and throws one Error listing
 * every conflict, so a caller fixes them all in one pass.
 */
export function resolveMessageRedactorProps(
  props: MessageRedactorProps,
  accounts: readonly Account[],
): ResolvedMessageRedactorProps {
  const problems: string[] = [];
  const defaults = mergeDefined(defaultMessageRedactorProps(), props);
  // Unless the caller chose one, the timeout fits the worst-case batch of these accounts.
  const merged = props.redactorTimeout === undefined ? { ...defaults, redactorTimeout: defaultRedactorTimeout(accounts, defaults) } : defaults;
  const check = new Checker(problems);

  check.integer('receiverMemorySize', merged.receiverMemorySize, 128, 10_240);
  check.integer('redactorMemorySize', merged.redactorMemorySize, 128, 10_240);
  // HTTP API closes the integration after 30 s.
  check.duration('receiverTimeout', merged.receiverTimeout, Duration.seconds(1), Duration.seconds(29));
  check.duration('redactorTimeout', merged.redactorTimeout, Duration.seconds(1), Duration.seconds(LAMBDA_LIMITS.maxTimeoutSeconds));
  // Limits of the SQS event source mapping (ScalingConfig.MaximumConcurrency, BatchSize, MaximumBatchingWindow).
  check.integer('maxConcurrency', merged.maxConcurrency, 2, 1000);
  check.integer('batchSize', merged.batchSize, 1, 10_000);
  // Each concurrent invocation takes floor(maxConcurrentRequests / maxConcurrency) of an account's limit.
  if (known(merged.maxConcurrency)) {
    for (const account of accounts) {
      const problem = shareProblem(account.route, account.maxConcurrentRequests, merged.maxConcurrency);
      if (problem !== undefined) problems.push(problem);
    }
  }
  if (props.maxBatchingWindow !== undefined) {
    check.duration('maxBatchingWindow', props.maxBatchingWindow, Duration.seconds(0), Duration.minutes(5));
  }
  if (known(merged.batchSize) && merged.batchSize > 10 && seconds(props.maxBatchingWindow) < 1) {
    problems.push('batchSize above 10 requires a maxBatchingWindow of at least 1 second (SQS event source rule)');
  }
  // Bounds the redactor's cold start enforces on PROVIDER_CONCURRENCY, HTTP_TIMEOUT_MS, SECRET_MAX_AGE_SECONDS
  // and MAX_CALLBACK_BYTES: checking them here fails the synth instead of every cold start.
  check.integer('providerConcurrency', merged.providerConcurrency, 1, 100);
  check.duration('httpTimeout', merged.httpTimeout, Duration.millis(100), Duration.seconds(60), 'milliseconds');
  if (known(merged.httpTimeout) && known(merged.redactorTimeout)
    && milliseconds(merged.httpTimeout) >= milliseconds(merged.redactorTimeout)) {
    problems.push(`httpTimeout (${merged.httpTimeout.toHumanString()}) must be shorter than redactorTimeout (${merged.redactorTimeout.toHumanString()})`);
  }
  check.duration('secretMaxAge', merged.secretMaxAge, Duration.seconds(0), Duration.days(1));
  // At least a minute: a shorter cache would fetch a subaccount's token from Twilio for nearly every callback.
  check.duration('subaccountTokenMaxAge', merged.subaccountTokenMaxAge, Duration.minutes(1), Duration.days(1));
  check.integer('maxCallbackBytes', merged.maxCallbackBytes, 1024, 1024 * 1024);
  check.integer('maxReceiveCount', merged.maxReceiveCount, 2, 1000);
  if (merged.endpoint !== 'http-api' && merged.endpoint !== 'function-url') {
    problems.push(`endpoint must be 'http-api' or 'function-url'`);
  }
  if (merged.endpoint === 'function-url' && (props.throttlingBurstLimit !== undefined || props.throttlingRateLimit !== undefined)) {
    problems.push("throttlingBurstLimit/throttlingRateLimit apply to the HTTP API only; a Function URL has no throttling (endpoint: 'function-url')");
  }
  if (merged.endpoint === 'function-url' && props.routeThrottling !== undefined) {
    problems.push("routeThrottling applies to the HTTP API only; a Function URL has no routes (endpoint: 'function-url')");
  }
  check.integer('throttlingBurstLimit', merged.throttlingBurstLimit, 0, 1_000_000);
  check.number('throttlingRateLimit', merged.throttlingRateLimit, 0, 1_000_000);
  const accountResources = props.accountResources ?? (accounts.length <= PER_ACCOUNT_RESOURCES_MAX_ACCOUNTS ? 'per-account' : 'shared');
  if (accountResources !== 'per-account' && accountResources !== 'shared') {
    problems.push(`accountResources must be 'per-account' or 'shared' (got ${String(accountResources)})`);
  }
  if (accountResources === 'per-account' && accounts.length > HTTP_API_ROUTES_LIMIT && merged.endpoint === 'http-api') {
    problems.push(`accountResources 'per-account' with ${accounts.length} accounts needs a route each: API Gateway allows ${HTTP_API_ROUTES_LIMIT} routes `
      + "per HTTP API (and CloudFormation 500 resources per stack); use accountResources 'shared'");
  }
  if (accountResources === 'shared' && props.routeThrottling !== undefined) {
    problems.push(`routeThrottling needs a route per account (accountResources 'per-account'); with ${accounts.length} account(s) `
      + `the callbacks share one route${props.accountResources === undefined ? ` (more than ${PER_ACCOUNT_RESOURCES_MAX_ACCOUNTS} accounts)` : ''}, throttled by throttlingBurstLimit/throttlingRateLimit`);
  }
  const routeThrottling = accountResources === 'shared' ? new Map<string, ResolvedRouteThrottling>() : resolveRouteThrottling(
    { burstLimit: merged.throttlingBurstLimit, rateLimit: merged.throttlingRateLimit }, props.routeThrottling, accounts, problems, check,
  );
  if (!(LOG_LEVELS as readonly string[]).includes(merged.logLevel)) {
    problems.push(`logLevel must be one of ${LOG_LEVELS.join(', ')} (got ${String(merged.logLevel)})`);
  }
  check.integer('dlqDepthAlarmThreshold', merged.dlqDepthAlarmThreshold, 1, 1_000_000);
  check.integer('retryAlarmThreshold', merged.retryAlarmThreshold, 1, 1_000_000);

  const oldestMessageAgeAlarmThreshold = resolveOldestMessageAgeThreshold(props, accounts, problems, check);
  checkReceivesCoverWaits(merged.maxReceiveCount, merged.redactorTimeout, props.maxBatchingWindow, props.queueProps?.visibilityTimeout, accounts, problems);

  // AWS: at least six times the function timeout, plus the batching window.
  const timeoutKnown = known(merged.redactorTimeout) && (props.maxBatchingWindow === undefined || known(props.maxBatchingWindow));
  const visibilityTimeout = timeoutKnown
    ? Duration.seconds(minimumQueueVisibilitySeconds(seconds(merged.redactorTimeout), seconds(props.maxBatchingWindow)))
    : undefined;
  const key = props.encryptionKey === undefined ? {} : { encryptionKey: props.encryptionKey };
  const queueProps = resolveQueueProps('queueProps', defaultQueueProps(visibilityTimeout), props.queueProps, problems, {
    ...key,
    ...(known(merged.redactorTimeout) ? { visibilityFloor: merged.redactorTimeout } : {}),
  });
  const deadLetterQueueProps = resolveQueueProps(
    'deadLetterQueueProps', defaultQueueProps(), props.deadLetterQueueProps, problems, key,
  );

  const sweep = resolveSweep(props.sweep, accounts, problems);

  if (problems.length > 0) {
    throw new ConfigError(`MessageRedactor: ${problems.length} invalid prop(s):\n  - ${problems.join('\n  - ')}`);
  }
  return {
    ...merged,
    ...(sweep === undefined ? {} : { sweep }),
    ...(props.maxBatchingWindow === undefined ? {} : { maxBatchingWindow: props.maxBatchingWindow }),
    ...key,
    oldestMessageAgeAlarmThreshold,
    accountResources,
    ...(props.secretNamePrefix === undefined ? {} : { secretNamePrefix: props.secretNamePrefix }),
    routeThrottling,
    queueProps,
    deadLetterQueueProps,
  };
}

/**
 * An account that waits `redactAfterSeconds` keeps its job in flight that long, and SQS counts it in
 * ApproximateAgeOfOldestMessage: the default threshold leaves one hour beyond the longest wait, and a
 * caller's threshold at or below that wait is a conflict (the alarm would fire on healthy jobs).
 */
function resolveOldestMessageAgeThreshold(
  props: MessageRedactorProps,
  accounts: readonly Account[],
  problems: string[],
  check: Checker,
): Duration {
  // A job waiting for its time (redactAfterSeconds, sentAgeSeconds) ages in the queue, but SQS leaves a
  // message received three or more times out of ApproximateAgeOfOldestMessage: after its 15-minute
  // DelaySeconds and two 12-hour re-delays, a long wait stops counting.
  const longestWait = Math.max(
    0,
    ...accounts.map((account) => Math.min(longestQueuedWaitSeconds(account), LONGEST_COUNTED_WAIT_SECONDS)),
  );
  const threshold = props.oldestMessageAgeAlarmThreshold;
  if (threshold === undefined) return Duration.seconds(Math.max(3600, longestWait + 3600));
  check.duration('oldestMessageAgeAlarmThreshold', threshold, Duration.minutes(1), QUEUE_RETENTION);
  if (known(threshold) && seconds(threshold) <= longestWait) {
    problems.push(
      `oldestMessageAgeAlarmThreshold (${threshold.toHumanString()}) must exceed the longest account wait, redactAfterSeconds or sentAgeSeconds (${longestWait} s)`,
    );
  }
  return threshold;
}

/**
 * A job waiting for `notBefore` longer than SQS can hold it spends one receive per hop, and SQS's
 * redrive counts those like failures: `maxReceiveCount` must cover the longest account wait and
 * still leave the retry policy the receives its backoff needs, or jobs end in the DLQ unredacted.
 */
function checkReceivesCoverWaits(
  maxReceiveCount: number,
  redactorTimeout: Duration,
  maxBatchingWindow: Duration | undefined,
  queueVisibility: Duration | undefined,
  accounts: readonly Account[],
  problems: string[],
): void {
  if (!known(maxReceiveCount) || !known(redactorTimeout) || (maxBatchingWindow !== undefined && !known(maxBatchingWindow))) return;
  const shape = {
    redactorTimeoutSeconds: seconds(redactorTimeout),
    maxBatchingWindowSeconds: seconds(maxBatchingWindow),
    // The caller's queue visibility when given (and known), else the construct's default.
    queueVisibilityTimeoutSeconds: queueVisibility !== undefined && known(queueVisibility)
      ? seconds(queueVisibility)
      : minimumQueueVisibilitySeconds(seconds(redactorTimeout), seconds(maxBatchingWindow)),
  };
  let longest: { path: string; key: string; wait: number; receives: number } | undefined;
  accounts.forEach((account, index) => {
    const key = account.sentAgeSeconds > account.redactAfterSeconds ? 'sentAgeSeconds' : 'redactAfterSeconds';
    const wait = longestQueuedWaitSeconds(account);
    const receives = receivesSpentWaiting(wait, shape);
    if (receives > (longest?.receives ?? 0)) longest = { path: entryPathOf(account, index), key, wait, receives };
  });
  if (longest === undefined) return;
  const retries = receivesForRetries(DEFAULT_RETRY_POLICY);
  const needed = longest.receives + retries;
  if (maxReceiveCount < needed) {
    problems.push(
      `maxReceiveCount (${maxReceiveCount}) is used up before jobs are redacted: ${longest.path}.${longest.key} `
      + `(${longest.wait} s) spends up to ${longest.receives} receives waiting and the retry policy needs ${retries} more; `
      + `set maxReceiveCount to at least ${needed}`,
    );
  }
}

