import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { SQS_LIMITS } from '../functions/core/config/aws-limits';
import type { ResolvedMessageRedactorProps } from './resolve-props';

/**
 * The redactor retries a job for up to 13 days and may then hold it invisible for one more 12 h
 * visibility timeout (functions/core/redaction/retry-policy.ts), so both queues keep messages for the SQS maximum.
 */
export const QUEUE_RETENTION = Duration.seconds(SQS_LIMITS.maxRetentionSeconds);

/**
 * Up to this many accounts, each gets its own callback route (and throttle) and its own metric series;
 * above it they share one route and metrics by provider, so resources and metric costs stay flat.
 */
export const PER_ACCOUNT_RESOURCES_MAX_ACCOUNTS = 100;

export type ScalarProps = Omit<
  ResolvedMessageRedactorProps,
  'queueProps' | 'deadLetterQueueProps' | 'maxBatchingWindow' | 'encryptionKey' | 'oldestMessageAgeAlarmThreshold' | 'routeThrottling' | 'sweep' | 'accountResources' | 'secretNamePrefix'
>;

/** The construct's defaults for every scalar prop (see the `@default` tags on MessageRedactorProps). */
export function defaultMessageRedactorProps(): ScalarProps {
  return {
    receiverMemorySize: 256,
    receiverTimeout: Duration.seconds(10),
    // I/O-bound: about 0.2 ms of CPU per record, the rest is waiting on the provider (npm run bench).
    redactorMemorySize: 256,
    redactorTimeout: Duration.seconds(30),
    maxConcurrency: 5,
    batchSize: 10,
    providerConcurrency: 10,
    httpTimeout: Duration.seconds(10),
    // A backstop for crash loops; the redactor's own retry policy dead-letters jobs with a reason.
    maxReceiveCount: 100,
    endpoint: 'http-api',
    throttlingBurstLimit: 500,
    throttlingRateLimit: 200,
    logRetention: logs.RetentionDays.ONE_MONTH,
    // Decisions are counted by metrics at every level; INFO's line per decision is an opt-in audit trail.
    logLevel: 'WARN',
    dashboard: true,
    // The DLQ is the evidence of which bodies a provider still holds: it outlives the stack.
    deadLetterQueueRemovalPolicy: RemovalPolicy.RETAIN,
    alarmActions: [],
    dlqDepthAlarmThreshold: 1,
    retryAlarmThreshold: 100,
    secretMaxAge: Duration.minutes(5),
    subaccountTokenMaxAge: Duration.hours(1),
    maxCallbackBytes: 64 * 1024,
  };
}

/**
 * Default queue settings the caller may override through `queueProps` / `deadLetterQueueProps`.
 * @param visibilityTimeout set for the redaction queue only (the DLQ has no consumer)
 */
export function defaultQueueProps(visibilityTimeout?: Duration): sqs.QueueProps {
  return visibilityTimeout === undefined ? {} : { visibilityTimeout };
}

/** Defaults < caller values, key by key: an explicit `undefined` keeps the default. */
export function mergeDefined<T extends object>(defaults: T, overrides: { readonly [K in keyof T]?: T[K] }): T {
  const merged = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof T)[]) {
    const value = overrides[key];
    if (value !== undefined) merged[key] = value as T[keyof T];
  }
  return merged;
}
