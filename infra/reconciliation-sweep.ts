import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_QUEUED_RETENTION_SECONDS } from '../functions/core/callbacks/callback-decision';
import type { Account } from '../functions/core/config/config';
import { DEFAULT_SWEEP_SCHEDULE } from '../functions/core/reconciliation/sweep-window';
import { SWEEP_ENV } from '../functions/core/config/lambda-env';
import { METRIC_NAMESPACE, METRICS } from '../functions/core/telemetry/telemetry-names';
import { entryPathOf } from './account-secrets';

/** Options of the scheduled reconciliation sweep. */
export interface ReconciliationSweepProps {
  /**
   * How often each account's recent messages are swept (5 minutes to 1 day).
   * @default Duration.hours(1)
   */
  readonly interval?: Duration;
  /**
   * How long after sending a message's status may still turn final. A message a run lists before it
   * is final is read again by id, backing off, until this much time after its sending (0 to 30 days);
   * one still not final then is left to the audit, which reports it.
   * @default Duration.hours(48)
   */
  readonly lateStatusWindow?: Duration;
  /**
   * Grace for the callback path: the sweep takes a message this long after it became due (0 to 1 day).
   * @default Duration.minutes(15)
   */
  readonly settleTime?: Duration;
  /**
   * Messages asked of the provider per page (1-1000); one page is one sweep invocation.
   * @default 1000
   */
  readonly pageSize?: number;
  /**
   * Timeout of the sweep function, for one page (at most 15 minutes).
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * Memory of the sweep function, in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * The scheduled audit: reads every account's list over its retention plus `lookback`, writes the
   * evidence to the construct's bucket, alarms on bodies held past their retention and enqueues them.
   */
  readonly audit?: AuditProps;
}

/** Options of the scheduled audit. */
export interface AuditProps {
  /**
   * How often every account is audited (1 hour to 7 days).
   * @default Duration.days(1)
   */
  readonly interval?: Duration;
  /**
   * How far beyond each account's retention the audit reads the provider's list (0 to 400 days;
   * Twilio shows about 400 days of history).
   * @default Duration.days(7)
   */
  readonly lookback?: Duration;
  /**
   * Object Lock on the evidence bucket: every report is kept unchangeable this long. Set it before
   * the first deployment (S3 enables Object Lock only when a bucket is created).
   * @default no Object Lock (the bucket is versioned)
   */
  readonly objectLockRetention?: Duration;
  /**
   * `COMPLIANCE`: no one, the root user included, can delete a report before its retention ends.
   * `GOVERNANCE`: users with s3:BypassGovernanceRetention can.
   * @default 'GOVERNANCE'
   */
  readonly objectLockMode?: 'GOVERNANCE' | 'COMPLIANCE';
}

/** Resolved sweep options, or why they are wrong (collected with the construct's other problems). */
export interface ResolvedSweep {
  readonly audit: { readonly interval: Duration; readonly lookback: Duration; readonly objectLockRetention?: Duration; readonly objectLockMode: 'GOVERNANCE' | 'COMPLIANCE' };
  readonly interval: Duration;
  readonly lateStatusWindow: Duration;
  readonly settleTime: Duration;
  readonly pageSize: number;
  readonly timeout: Duration;
  readonly memorySize: number;
}

/**
 * Defaults < caller options; `false` turns the sweep off, which only an account config that never needs
 * it allows: a retention longer than a queued job can wait is served by the sweep alone.
 */
export function resolveSweep(
  props: ReconciliationSweepProps | false | undefined,
  accounts: readonly Account[],
  problems: string[],
): ResolvedSweep | undefined {
  if (props === false) {
    const reported = new Set<string>();
    accounts.forEach((account, index) => {
      const path = entryPathOf(account, index);
      // A parent's subaccounts share its retention: reported once.
      if (account.redactAfterSeconds > MAX_QUEUED_RETENTION_SECONDS && !reported.has(path)) {
        reported.add(path);
        problems.push(
          `sweep: false leaves ${path}.redactAfterSeconds (${account.redactAfterSeconds} s) unserved: `
          + `a retention above ${MAX_QUEUED_RETENTION_SECONDS} s is redacted by the sweep only`,
        );
      }
    });
    return undefined;
  }
  const resolved: ResolvedSweep = {
    audit: {
      interval: props?.audit?.interval ?? Duration.days(1),
      lookback: props?.audit?.lookback ?? Duration.days(7),
      ...(props?.audit?.objectLockRetention === undefined ? {} : { objectLockRetention: props.audit.objectLockRetention }),
      objectLockMode: props?.audit?.objectLockMode ?? 'GOVERNANCE',
    },
    interval: props?.interval ?? Duration.seconds(DEFAULT_SWEEP_SCHEDULE.intervalSeconds),
    lateStatusWindow: props?.lateStatusWindow ?? Duration.seconds(DEFAULT_SWEEP_SCHEDULE.lateStatusSeconds),
    settleTime: props?.settleTime ?? Duration.seconds(DEFAULT_SWEEP_SCHEDULE.settleSeconds),
    pageSize: props?.pageSize ?? 1000,
    timeout: props?.timeout ?? Duration.minutes(5),
    memorySize: props?.memorySize ?? 256,
  };
  const range = (key: string, value: Duration, min: number, max: number) => {
    if (value.isUnresolved()) return;
    const s = value.toSeconds();
    if (s < min || s > max) problems.push(`sweep.${key} must be from ${min} s to ${max} s (got ${s} s)`);
  };
  range('interval', resolved.interval, 300, 86_400);
  range('lateStatusWindow', resolved.lateStatusWindow, 0, 30 * 86_400);
  range('settleTime', resolved.settleTime, 0, 86_400);
  range('timeout', resolved.timeout, 30, 900);
  range('audit.interval', resolved.audit.interval, 3_600, 7 * 86_400);
  range('audit.lookback', resolved.audit.lookback, 0, 400 * 86_400);
  if (resolved.audit.objectLockRetention !== undefined) range('audit.objectLockRetention', resolved.audit.objectLockRetention, 86_400, 100 * 365 * 86_400);
  if (resolved.audit.objectLockMode !== 'GOVERNANCE' && resolved.audit.objectLockMode !== 'COMPLIANCE') {
    problems.push(`sweep.audit.objectLockMode must be GOVERNANCE or COMPLIANCE (got ${String(resolved.audit.objectLockMode)})`);
  }
  if (!Token.isUnresolved(resolved.pageSize) && (!Number.isInteger(resolved.pageSize) || resolved.pageSize < 1 || resolved.pageSize > 1000)) {
    problems.push(`sweep.pageSize must be a whole number from 1 to 1000 (got ${resolved.pageSize})`);
  }
  return resolved;
}

export interface ReconciliationSweepResources {
  readonly fn: lambda.Function;
  readonly sweep: ResolvedSweep;
  readonly accounts: readonly Account[];
  readonly encryptionKey?: kms.IKey;
}

/**
 * The scheduled sweep's queue and schedule around its function: one EventBridge rule starts every
 * account's run (fanned out through the page queue); each run's pages travel through a FIFO queue (one message group per account, so an
 * account's pages go one at a time, in order) with a dead-letter queue, so a crashed run resumes at
 * its last page and a page that keeps failing is parked and alarmed, not lost.
 */
export class ReconciliationSweep extends Construct {
  /** The FIFO queue of sweep pages still to read. */
  public readonly pageQueue: sqs.Queue;
  /** Pages that failed five times (provider down for long, credentials revoked). */
  public readonly pageDeadLetterQueue: sqs.Queue;
  /** The sweep's schedule: one rule for every account, fanned out by the function. */
  public readonly sweepRule: events.Rule;
  /**
   * Scheduled runs that never started: the event could not be delivered, or the invocation failed
   * after its retries. Each message names the route and the scheduled time; alarmed.
   */
  public readonly scheduleDeadLetterQueue: sqs.Queue;
  /**
   * The coverage store: each route's checkpoint (what its runs have listed and enqueued so far) and
   * the messages listed before they were due. Runs advance it with conditional writes only.
   */
  public readonly coverageTable: dynamodb.Table;
  /** The audit's evidence: one JSON report and one CSV per account and audit, under `audits/<route>/<day>/`. */
  public readonly evidenceBucket: s3.Bucket;
  /** The audit's schedule: one rule for every account. */
  public readonly auditRule: events.Rule;
  /** The variables this adds to the sweep function's environment (its 4 KB limit counts them too). */
  public readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, resources: ReconciliationSweepResources) {
    super(scope, id);
    const { fn, sweep } = resources;
    const environment: Record<string, string> = {};
    const setEnvironment = (name: string, value: string) => {
      environment[name] = value;
      fn.addEnvironment(name, value);
    };
    this.environment = environment;
    const encryption: Pick<sqs.QueueProps, 'encryption' | 'encryptionMasterKey'> = resources.encryptionKey === undefined
      ? { encryption: sqs.QueueEncryption.SQS_MANAGED }
      : { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: resources.encryptionKey };
    this.pageDeadLetterQueue = new sqs.Queue(this, 'PageDeadLetterQueue', {
      fifo: true,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      ...encryption,
    });
    this.pageQueue = new sqs.Queue(this, 'PageQueue', {
      fifo: true,
      // AWS: at least six times the function timeout for an SQS event source.
      visibilityTimeout: Duration.seconds(sweep.timeout.toSeconds() * 6),
      // An expired page would vanish without reaching the DLQ: keep pages as long as SQS allows.
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      deadLetterQueue: { queue: this.pageDeadLetterQueue, maxReceiveCount: 5 },
      ...encryption,
    });
    this.pageQueue.grant(fn, 'sqs:SendMessage');
    resources.encryptionKey?.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
    // One page per invocation: the work of an invocation stays bounded whatever the account's volume.
    fn.addEventSource(new SqsEventSource(this.pageQueue, { batchSize: 1, reportBatchItemFailures: true }));
    setEnvironment(SWEEP_ENV.sweepQueueUrl, this.pageQueue.queueUrl);

    this.coverageTable = new dynamodb.Table(this, 'CoverageTable', {
      partitionKey: { name: 'route', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // Deferred entries expire 90 days after their instant; the checkpoint item never does.
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(resources.encryptionKey === undefined
        ? { encryption: dynamodb.TableEncryption.AWS_MANAGED }
        : { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: resources.encryptionKey }),
      // Losing the checkpoint loses the record of what was covered: keep it when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The calls the store makes, nothing more (no Scan, no DeleteItem, no table administration).
    this.coverageTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem');
    setEnvironment(SWEEP_ENV.coverageTable, this.coverageTable.tableName);

    // A run that never starts must not pass silently: its slice of due times would have no other run.
    this.scheduleDeadLetterQueue = new sqs.Queue(this, 'ScheduleDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      ...encryption,
    });
    Validations.of(this.scheduleDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is a dead-letter queue: the failure destination of the sweep\'s scheduled invocations and the '
        + 'DLQ of its EventBridge targets (not an SQS redrive target, which is all the rule recognises). It is alarmed.',
    });
    // The destination by ARN with a SendMessage grant only: SqsDestination would also grant
    // GetQueueUrl/GetQueueAttributes and, with a KMS key, wildcard kms actions.
    const scheduleDlqArn = this.scheduleDeadLetterQueue.queueArn;
    this.scheduleDeadLetterQueue.grant(fn, 'sqs:SendMessage');
    fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: { bind: () => ({ destination: scheduleDlqArn }) },
    });
    const lock = sweep.audit.objectLockRetention;
    this.evidenceBucket = new s3.Bucket(this, 'EvidenceBucket', {
      ...(resources.encryptionKey === undefined
        ? { encryption: s3.BucketEncryption.S3_MANAGED }
        : { encryption: s3.BucketEncryption.KMS, encryptionKey: resources.encryptionKey, bucketKeyEnabled: true }),
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      ...(lock === undefined
        ? {}
        : {
          objectLockEnabled: true,
          objectLockDefaultRetention: sweep.audit.objectLockMode === 'COMPLIANCE' ? s3.ObjectLockRetention.compliance(lock) : s3.ObjectLockRetention.governance(lock),
        }),
      // Evidence outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.evidenceBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The evidence bucket is written only by the sweep function\'s role (PutObject under audits/), versioned and '
        + 'optionally object-locked; CloudTrail records its API calls. A server access log bucket would be a second bucket per deployment.',
    });
    // PutObject under audits/ only: the audit never reads, lists or deletes evidence.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.evidenceBucket.arnForObjects('audits/*')] }));
    const bucketId = Stack.of(this).resolve((this.evidenceBucket.node.defaultChild as s3.CfnBucket).logicalId) as string;
    Validations.of(fn.role ?? fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/audits/*]`,
      reason: 'The audit writes one report object per account and run under audits/ (the key holds the route and the time): PutObject only, on that prefix of the construct\'s own bucket.',
    });
    setEnvironment(SWEEP_ENV.evidenceBucket, this.evidenceBucket.bucketName);
    setEnvironment(SWEEP_ENV.auditLookbackSeconds, String(sweep.audit.lookback.toSeconds()));
    this.auditRule = new events.Rule(this, 'AuditSchedule', {
      description: 'message-redactor audit of every account\'s message list',
      schedule: events.Schedule.rate(sweep.audit.interval),
      targets: [new targets.LambdaFunction(fn, {
        event: events.RuleTargetInput.fromObject({ kind: 'audit-schedule', time: events.EventField.time }),
        retryAttempts: 4,
        maxEventAge: Duration.hours(6),
        deadLetterQueue: this.scheduleDeadLetterQueue,
      })],
    });
    // One schedule for every account, like the audit's: the function fans it out through the page
    // queue a hundred accounts per step, so the stack does not grow with the account count.
    this.sweepRule = new events.Rule(this, 'SweepSchedule', {
      description: 'message-redactor reconciliation sweep of every account',
      schedule: events.Schedule.rate(sweep.interval),
      targets: [new targets.LambdaFunction(fn, {
        event: events.RuleTargetInput.fromObject({ kind: 'sweep-schedule', time: events.EventField.time }),
        retryAttempts: 4,
        maxEventAge: Duration.hours(6),
        deadLetterQueue: this.scheduleDeadLetterQueue,
      })],
    });
  }

  /** Alarms: pages parked or failing, runs that never started, a page backlog, failed invocations. */
  createAlarms(fn: lambda.Function): cloudwatch.Alarm[] {
    const parked = (queue: sqs.IQueue) => queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' });
    return [
      this.#alarm('PageDeadLetterAlarm', 'A reconciliation sweep page failed five times and is parked: check the provider '
        + 'credentials and API status, then redrive the page queue DLQ (the run resumes where it stopped).',
      parked(this.pageDeadLetterQueue), 1, cloudwatch.TreatMissingData.IGNORE),
      this.#alarm('ScheduleDeadLetterAlarm', 'A scheduled reconciliation sweep run never started (event undeliverable, or the '
        + 'invocation failed after its retries). Nothing is left uncovered: the next run starts at the route\'s checkpoint. '
        + 'First: read the parked event for its route, fix the cause (function errors, permissions), then purge the parked event.',
      parked(this.scheduleDeadLetterQueue), 1, cloudwatch.TreatMissingData.IGNORE),
      // A failed page is retried (batch item failure), which Lambda does not count as a function error.
      this.#alarm('SweepPagesFailingAlarm', 'Reconciliation sweep pages keep failing (two or more in an hour). First: read '
        + 'sweep.page-error and sweep.page-failed in the sweep log group (provider down, credentials revoked, a wrong apiBaseUrl).',
      new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName: METRICS.sweepPagesFailed, statistic: 'Sum', period: Duration.hours(1) }), 2),
      this.#alarm('PageBacklogAlarm', 'The oldest reconciliation sweep page has waited over 6 hours: runs take longer than the '
        + 'schedule allows (an account with more messages than one interval can list). First: raise the sweep interval or '
        + 'timeout, or split the account; pages expire after 14 days.',
      this.pageQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(15), statistic: 'Maximum' }), 6 * 3_600),
      this.#alarm('SweepRunsStoppedAlarm', 'A reconciliation sweep run stopped before its end (sweep.run-stopped: a page limit, '
        + 'a provider cursor that repeats, or a clock ahead of the provider\'s). Its route\'s checkpoint did not advance: every '
        + 'later run retries the same slice and stops again until the cause is fixed. First: read the reason in sweep.run-stopped.',
      new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName: METRICS.sweepRunsStopped, statistic: 'Sum', period: Duration.hours(1) }), 1),
      this.#alarm('BodiesHeldPastRetentionAlarm', 'The audit found message bodies at the provider past their retention that '
        + 'the pipeline could have redacted (BodiesHeldPastRetention, reason due-not-redacted). The audit has enqueued them; its report '
        + 'in the evidence bucket lists them by id. First: read the DLQ and sweep.run-stopped for why they were not redacted on time.',
      new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: METRICS.bodiesHeldPastRetention,
        dimensionsMap: { reason: 'due-not-redacted' },
        statistic: 'Maximum',
        period: Duration.days(1),
      }), 1),
      this.#alarm('SweepErrorsAlarm', 'The reconciliation sweep failed (function errors in 15 minutes): read its log group for '
        + 'sweep.page-error', fn.metricErrors({ period: Duration.minutes(15), statistic: 'Sum' }), 1),
    ];
  }

  /** An alarm at `threshold` or above, over one period. Queues publish no data while idle: keep the state then. */
  #alarm(
    id: string,
    description: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
  ): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: missing,
    });
  }
}
