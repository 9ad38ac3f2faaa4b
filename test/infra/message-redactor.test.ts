import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { AccountConfigInput } from '../../functions/core/config/config';
import { ConfigError } from '../../functions/core/runtime/errors';
import { ALARM_SIGNAL_METRICS, METRIC_NAMESPACE, METRICS, type MetricName } from '../../functions/core/telemetry/telemetry-names';
import { chooseAccountsFile, loadAccountsFile } from '../../infra/accounts-file';
import { MessageRedactor, type MessageRedactorProps } from '../../infra/message-redactor';
import { parseAlarmEmail } from '../../infra/alarm-topic';
import { MessageRedactorStack } from '../../infra/redactor-stack';
import { twilioAccount as sharedTwilioAccount } from '../support/twilio-fixtures';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
/** The feature flags `cdk synth` uses, so the template under test is the one that gets deployed. */
const CDK_CONTEXT = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
}).context;

const NAMED_SECRET = 'message-redactor/twilio-main';
const PARTIAL_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:message-redactor/signalwire';
const COMPLETE_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:message-redactor/carrierx-AbC123';

/** The shared Twilio account fixture, with a named secret and a route of this file's own. */
function twilioAccount(overrides: Partial<AccountConfigInput> = {}): AccountConfigInput {
  return sharedTwilioAccount({ route: 'twilio-6UOIEj2Uv4E9pEfBOjt4Y2ln', secretId: NAMED_SECRET, ...overrides });
}

interface Synthesised {
  readonly app: App;
  readonly stack: Stack;
  readonly redactor: MessageRedactor;
  readonly template: Template;
}

interface BuildOptions {
  /** Registers the AwsSolutions pack, as infra/app.ts does. */
  readonly nag?: boolean;
  /** Adds resources the props refer to (a key, a topic) to the same stack. */
  readonly extend?: (stack: Stack) => Partial<MessageRedactorProps>;
}

/** Builds the construct in a stack, without bundling (about 0.5 s instead of 4 s per synth). */
function build(props: Partial<MessageRedactorProps> = {}, options: BuildOptions = {}): Omit<Synthesised, 'template'> {
  const app = new App({
    context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const stack = new Stack(app, 'Test');
  const extra = options.extend?.(stack) ?? {};
  const redactor = new MessageRedactor(stack, 'MessageRedactor', { accounts: [twilioAccount()], ...props, ...extra });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, redactor };
}

function synth(props: Partial<MessageRedactorProps> = {}, options: BuildOptions = {}): Synthesised {
  const built = build(props, options);
  return { ...built, template: Template.fromStack(built.stack) };
}

function logicalId(construct: IConstruct): string {
  const element = construct.node.defaultChild as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** The statements of the inline policy attached to a function's role. */
function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleLogicalId }] },
  });
  return Object.values(policies).flatMap(
    (policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

function actions(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

function resources(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** Where the synthesised assembly staged a layer's files (what Lambda unpacks under /opt). */
function layerAssetDir(synthesised: Synthesised, layerId: string): string {
  const key = (synthesised.template.toJSON().Resources[layerId].Properties.Content.S3Key as string).replace(/\.zip$/, '');
  return path.join(synthesised.app.synth().directory, `asset.${key}`);
}

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

// One default synth shared by the template assertions: each synth costs about half a second.
const defaults = synth();
const ids = {
  queue: logicalId(defaults.redactor.queue),
  dlq: logicalId(defaults.redactor.deadLetterQueue),
  receiver: logicalId(defaults.redactor.receiver),
  redactor: logicalId(defaults.redactor.redactor),
  receiverRole: logicalId(defaults.redactor.receiver.role!),
  redactorRole: logicalId(defaults.redactor.redactor.role!),
};

describe('Construct: MessageRedactor', () => {
  describe('queues', () => {
    it('encrypts both queues with SSE-SQS and keeps messages 14 days', () => {
      for (const id of [ids.queue, ids.dlq]) {
        expect(defaults.template.toJSON().Resources[id].Properties).toMatchObject({
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: 14 * 24 * 3600,
        });
      }
    });

    it('redrives to the DLQ after 100 receives, with a visibility timeout of six redactor timeouts', () => {
      defaults.template.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: { deadLetterTargetArn: arnOf(ids.dlq), maxReceiveCount: 100 },
        VisibilityTimeout: 180,
      });
    });

    it('takes caller queue props over the defaults, but keeps encryption, TLS and retention', () => {
      const { template, redactor } = synth({
        queueProps: { queueName: 'redaction-jobs', visibilityTimeout: Duration.minutes(10) },
        deadLetterQueueProps: { queueName: 'redaction-dead-letters' },
      });
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'redaction-jobs',
        VisibilityTimeout: 600,
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
      template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'redaction-dead-letters', SqsManagedSseEnabled: true });
      // Job queue, DLQ, the sweep's FIFO page queue, its DLQ and its schedule DLQ: every one denies requests without TLS.
      template.resourceCountIs('AWS::SQS::QueuePolicy', 5);
      expect(redactor.queue.fifo).toBe(false);
    });

    it('adds the batching window to the default visibility timeout', () => {
      const { template } = synth({ redactorTimeout: Duration.minutes(1), maxBatchingWindow: Duration.seconds(20), batchSize: 50 });
      template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 6 * 60 + 20 });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 50, MaximumBatchingWindowInSeconds: 20 });
    });

    it('denies every request without TLS on both queues', () => {
      for (const id of [ids.queue, ids.dlq]) {
        defaults.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: id }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Principal: { AWS: '*' },
                Action: 'sqs:*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      }
    });

    it('uses the customer-managed key for every queue when one is given', () => {
      const { template, redactor } = synth({}, {
        extend: (stack) => ({ encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) }),
      });
      // Job queue and DLQ, the sweep's page queue, its DLQ and its schedule DLQ.
      template.resourcePropertiesCountIs(
        'AWS::SQS::Queue',
        { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] }, SqsManagedSseEnabled: Match.absent() },
        5,
      );
      template.resourceCountIs('AWS::SQS::Queue', 5);
      const receiverStatements = roleStatements(template, logicalId(redactor.receiver.role!));
      expect(receiverStatements).toContainEqual({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
      });
    });
  });

  describe('functions', () => {
    it('runs the three functions on nodejs24.x, arm64, with explicit memory, timeout and log group', () => {
      defaults.template.resourceCountIs('AWS::Lambda::Function', 3);
      for (const [id, memory, timeout] of [[ids.receiver, 256, 10], [ids.redactor, 256, 30], [logicalId(defaults.redactor.sweepFunction!), 256, 300]] as const) {
        expect(defaults.template.toJSON().Resources[id].Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          MemorySize: memory,
          Timeout: timeout,
          LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        });
      }
      defaults.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });

    it('passes the accounts config as given in a layer every function mounts, and the queue URLs, to the functions', () => {
      const accounts = '/opt/message-redactor/accounts.json';
      const layer = defaults.template.findResources('AWS::Lambda::LayerVersion');
      expect(Object.keys(layer)).toHaveLength(1);
      const layerId = Object.keys(layer)[0]!;
      for (const fn of Object.values(defaults.template.findResources('AWS::Lambda::Function'))) {
        expect(fn.Properties.Layers).toEqual([{ Ref: layerId }]);
        expect(JSON.stringify(fn.Properties.Environment.Variables)).not.toContain('twilio-main');
      }
      const staged = readFileSync(path.join(layerAssetDir(defaults, layerId), 'message-redactor', 'accounts.json'), 'utf8');
      expect(JSON.parse(staged)).toEqual([twilioAccount()]);
      defaults.template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            REDACTOR_ACCOUNTS_FILE: accounts,
            REDACTION_QUEUE_URL: { Ref: ids.queue },
            SECRET_MAX_AGE_SECONDS: '300',
            MAX_CALLBACK_BYTES: '65536',
          },
        },
      });
      defaults.template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            REDACTOR_ACCOUNTS_FILE: accounts,
            REDACTION_QUEUE_URL: { Ref: ids.queue },
            DEAD_LETTER_QUEUE_URL: { Ref: ids.dlq },
            SECRET_MAX_AGE_SECONDS: '300',
            PROVIDER_CONCURRENCY: '10',
            HTTP_TIMEOUT_MS: '10000',
            // 6 × the 30 s redactor timeout: how long before its invocation a batch may have been received.
            QUEUE_VISIBILITY_TIMEOUT_SECONDS: '180',
            // The redactor's share of each account's request limit is 1/MaximumConcurrency.
            REDACTOR_MAX_CONCURRENCY: '5',
          },
        },
      });
    });

    it('feeds the redactor from the queue with partial batch failures and a concurrency cap', () => {
      // The redactor's, and the sweep's on its page queue.
      defaults.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
      defaults.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: arnOf(ids.queue),
        FunctionName: { Ref: ids.redactor },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 5 },
      });
    });

    it('uses no managed policy', () => {
      defaults.template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    });
  });

  describe('permissions', () => {
    const namedSecretArn = {
      'Fn::Join': ['', [
        'arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':',
        { Ref: 'AWS::AccountId' }, `:secret:${NAMED_SECRET}-??????`,
      ]],
    };

    it('lets the receiver write its logs, read the named secret and send to the main queue, nothing else', () => {
      expect(roleStatements(defaults.template, ids.receiverRole)).toEqual([
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arnOf(logicalId(defaults.redactor.node.findChild('ReceiverLogs'))) },
        { Effect: 'Allow', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: namedSecretArn },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(ids.queue) },
      ]);
    });

    it('lets the redactor dead-letter jobs and delay retries, but not send to the main queue', () => {
      const statements = roleStatements(defaults.template, ids.redactorRole);
      expect(statements).toContainEqual({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(ids.dlq) });
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
        Resource: arnOf(ids.queue),
      });
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: namedSecretArn,
      });
      const sendsToMainQueue = statements.filter(
        (s) => actions(s).includes('sqs:SendMessage') && JSON.stringify(resources(s)).includes(ids.queue),
      );
      expect(sendsToMainQueue).toEqual([]);
    });

    it('grants each secret by name, partial ARN or complete ARN, and never on *', () => {
      const { template } = synth({
        accounts: [
          twilioAccount(),
          twilioAccount({ route: 'signalwire-1', provider: 'signalwire-compat', secretId: PARTIAL_ARN }),
          twilioAccount({ route: 'carrierx-1', provider: 'carrierx', secretId: COMPLETE_ARN }),
          // A second account on the same secret is granted once.
          twilioAccount({ route: 'twilio-2' }),
        ],
      });
      const secretStatements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
        (policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
      ).filter((s) => actions(s).some((action) => action.startsWith('secretsmanager:')));
      // Receiver, redactor and sweep each read the API secrets (no signing secret is configured here).
      expect(secretStatements).toHaveLength(3);
      for (const statement of secretStatements) {
        expect(statement.Resource).toEqual([COMPLETE_ARN, `${PARTIAL_ARN}-??????`, namedSecretArn]);
        expect(JSON.stringify(statement.Resource)).not.toContain('*');
      }
    });

    it('grants the receiver only the signing secret of an account that has one, and the redactor only its API secret', () => {
      const built = synth({ accounts: [twilioAccount({ signingSecretId: COMPLETE_ARN })] });
      const secretResources = (role: string) =>
        roleStatements(built.template, role).filter((s) => actions(s).some((action) => action.startsWith('secretsmanager:'))).map((s) => s.Resource);
      expect(secretResources(logicalId(built.redactor.receiver.role!))).toEqual([COMPLETE_ARN]);
      expect(secretResources(logicalId(built.redactor.redactor.role!))).toEqual([namedSecretArn]);
    });

    it('rejects a signingSecretId ARN of another service, naming the key', () => {
      expect(() => synth({ accounts: [twilioAccount({ signingSecretId: 'arn:aws:ssm:eu-west-1:123456789012:parameter/x' })] }))
        .toThrow(new ConfigError(
          'invalid accounts config: accounts[0].signingSecretId: an ARN must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
        ));
    });

    it('rejects a secretId ARN of another service, naming the key', () => {
      expect(() => synth({ accounts: [twilioAccount({ secretId: 'arn:aws:ssm:eu-west-1:123456789012:parameter/x' })] }))
        .toThrow(new ConfigError(
          'invalid accounts config: accounts[0].secretId: an ARN must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
        ));
    });
  });

  describe('HTTP API', () => {
    const ROUTES = ['tw-6UOIEj2Uv4E9pEfBOjt4Y2ln', 'swc-Qm4v1Xk2Zr8nTb6Lp0Hs3Wd9', 'cx-Hd2Wq9Lb6Xs3Mz7Cv1Fn5Ky8'];
    const threeAccounts = synth({
      accounts: [
        twilioAccount({ route: ROUTES[0] }),
        { route: ROUTES[1]!, provider: 'signalwire-compat', secretId: 'message-redactor/signalwire' },
        { route: ROUTES[2]!, provider: 'carrierx', secretId: 'message-redactor/carrierx' },
      ],
      routeThrottling: { [ROUTES[2]!]: { rateLimit: 20 } },
    });
    const stageOf = (template: Template) => Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as {
      Properties: Record<string, unknown>;
      DependsOn?: string[];
    };

    it('has one POST /callbacks/<route> route per account and no catch-all, so unknown paths get a 404 at the gateway', () => {
      const routes = Object.values(threeAccounts.template.findResources('AWS::ApiGatewayV2::Route')) as Array<{ Properties: { RouteKey: string; AuthorizationType: string } }>;
      expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(ROUTES.map((route) => `POST /callbacks/${route}`).sort());
      expect(routes.map((r) => r.Properties.AuthorizationType)).toEqual(['NONE', 'NONE', 'NONE']);
      threeAccounts.template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
      threeAccounts.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: arnOf(logicalId(threeAccounts.redactor.receiver)),
      });
    });

    it('lets only this API invoke the receiver, with one permission however many accounts', () => {
      const receiverPermissions = Object.values(threeAccounts.template.findResources('AWS::Lambda::Permission')).filter(
        (resource) => JSON.stringify(resource).includes(logicalId(threeAccounts.redactor.receiver)),
      );
      expect(receiverPermissions).toHaveLength(1);
      threeAccounts.template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        FunctionName: arnOf(logicalId(threeAccounts.redactor.receiver)),
        SourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: logicalId(threeAccounts.redactor.httpApi!) }, '/*/*/*'])] },
      });
    });

    it('throttles each route on its own (default 500 burst, 200 per second), with per-account overrides', () => {
      const stage = stageOf(threeAccounts.template);
      expect(stage.Properties.RouteSettings).toEqual({
        [`POST /callbacks/${ROUTES[0]}`]: { ThrottlingBurstLimit: 500, ThrottlingRateLimit: 200 },
        [`POST /callbacks/${ROUTES[1]}`]: { ThrottlingBurstLimit: 500, ThrottlingRateLimit: 200 },
        [`POST /callbacks/${ROUTES[2]}`]: { ThrottlingBurstLimit: 500, ThrottlingRateLimit: 20 },
      });
      expect(stage.Properties.DefaultRouteSettings).toEqual({ ThrottlingBurstLimit: 500, ThrottlingRateLimit: 200 });
      // CloudFormation refuses route settings for routes that do not exist yet.
      const routeIds = Object.keys(threeAccounts.template.findResources('AWS::ApiGatewayV2::Route'));
      expect(stage.DependsOn).toEqual(expect.arrayContaining(routeIds));
    });

    it('applies throttlingBurstLimit and throttlingRateLimit to every route', () => {
      const { template } = synth({ throttlingBurstLimit: 50, throttlingRateLimit: 10 });
      expect(stageOf(template).Properties.RouteSettings).toEqual({
        'POST /callbacks/twilio-6UOIEj2Uv4E9pEfBOjt4Y2ln': { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 10 },
      });
    });

    it('refuses a routeThrottling key that is no account route, and limits out of range', () => {
      expect(() => build({ routeThrottling: { 'twilio-typo': { rateLimit: 5 }, 'twilio-6UOIEj2Uv4E9pEfBOjt4Y2ln': { burstLimit: 1.5, rateLimit: -1 } } })).toThrow(
        new ConfigError([
          'MessageRedactor: 3 invalid prop(s):',
          '  - routeThrottling.twilio-typo: no account has this route',
          '  - routeThrottling.twilio-6UOIEj2Uv4E9pEfBOjt4Y2ln.burstLimit (1.5) must be a whole number from 0 to 1000000',
          '  - routeThrottling.twilio-6UOIEj2Uv4E9pEfBOjt4Y2ln.rateLimit (-1) must be a number from 0 to 1000000',
        ].join('\n')),
      );
    });

    it('logs access without the path or the route key (both carry the route token)', () => {
      defaults.template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
      defaults.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: {
          DestinationArn: arnOf(logicalId(defaults.redactor.node.findChild('ApiAccessLogs'))),
          Format: Match.stringLikeRegexp('"errorType":"\\$context.error.responseType"'),
        },
      });
      const format = JSON.stringify(defaults.template.findResources('AWS::ApiGatewayV2::Stage'));
      expect(format).not.toContain('$context.path');
      expect(format).not.toContain('$context.routeKey');
    });
  });

  describe('alarms', () => {
    it('fires only on metrics the functions write at once: a summed routine metric is at most a rate\'s denominator', () => {
      type Dim = { Name: string; Value: string };
      const signal = (name: string, dims: Dim[] = []) =>
        ALARM_SIGNAL_METRICS.has(name as MetricName)
        // Not-found is written on a WARN line, whose metrics are never summed.
        || (name === METRICS.redactionOutcomes && dims.some((d) => d.Name === 'outcome' && d.Value === 'not-found'));
      const alarms = Object.values(defaults.template.findResources('AWS::CloudWatch::Alarm'));
      let checked = 0;
      for (const { Properties: alarm } of alarms) {
        if (alarm.Namespace === METRIC_NAMESPACE) {
          expect(signal(alarm.MetricName, alarm.Dimensions), alarm.MetricName).toBe(true);
          checked += 1;
        }
        const ours = ((alarm.Metrics ?? []) as Array<{ MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: Dim[] } } }>)
          .flatMap((m) => (m.MetricStat?.Metric.Namespace === METRIC_NAMESPACE ? [m.MetricStat.Metric] : []));
        if (ours.length > 0) {
          expect(ours.some((m) => signal(m.MetricName, m.Dimensions)), ours.map((m) => m.MetricName).join()).toBe(true);
          checked += 1;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(6);
    });

    it('alarms on DLQ depth ≥ 1, oldest job ≥ 1 hour, function errors and throttles, and sustained retries per provider', () => {
      // Twelve for the redaction path (one provider), seven for the sweep (parked pages, runs that never
      // started, failing pages, page backlog, runs stopped before their end, bodies held past retention, errors).
      defaults.template.resourceCountIs('AWS::CloudWatch::Alarm', 19);
      defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'MessageRedactor',
        MetricName: 'RedactionRetries',
        Dimensions: [{ Name: 'provider', Value: 'twilio' }, { Name: 'route', Value: twilioAccount().route }],
        Threshold: 100,
        EvaluationPeriods: 3,
      });
      defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.dlq, 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        TreatMissingData: 'ignore',
      });
      defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queue, 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 3600,
      });
      for (const fn of [ids.receiver, ids.redactor]) {
        for (const metric of ['Errors', 'Throttles']) {
          defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
            Namespace: 'AWS/Lambda',
            MetricName: metric,
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
            ComparisonOperator: 'GreaterThanThreshold',
            Threshold: 0,
            TreatMissingData: 'notBreaching',
          });
        }
      }
    });

    it('alarms on refused callbacks, receiver 5xx, not-found rate and dead letters by reason, from the EMF metrics', () => {
      const alarms = Object.values(defaults.template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties as Record<string, any>);
      const mathOf = (description: string) => {
        const alarm = alarms.find((a) => (a.AlarmDescription as string).includes(description));
        expect(alarm, description).toBeDefined();
        return alarm!.Metrics as Array<{ Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions?: unknown[] } } }>;
      };
      const stats = (metrics: ReturnType<typeof mathOf>) => metrics.filter((m) => m.MetricStat).map((m) => [m.MetricStat!.Metric.MetricName, m.MetricStat!.Metric.Dimensions ?? []]);
      expect(stats(mathOf('refused for a missing or wrong signature'))).toEqual([
        ['CallbacksRefused', [{ Name: 'reason', Value: 'unauthenticated' }]],
        ['CallbacksRefused', [{ Name: 'reason', Value: 'bad-signature' }]],
        ['CallbacksAccepted', []],
        ['CallbacksIgnored', []],
      ]);
      expect(stats(mathOf('got 404 from the provider')).map(([, d]) => d)).toEqual([
        [{ Name: 'outcome', Value: 'not-found' }],
        [{ Name: 'outcome', Value: 'redacted' }],
        [{ Name: 'outcome', Value: 'already-redacted' }],
      ]);
      // Every failure reason, and not the expected provider-cannot-redact.
      expect(stats(mathOf('dead-lettered jobs for a reason other than provider-cannot-redact')).map(([, d]) => (d as Array<{ Value: string }>)[0]!.Value))
        .toEqual(['rejected', 'auth', 'gave-up', 'invalid-job', 'unknown-route', 'config']);
      defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'MessageRedactor', MetricName: 'CallbackServerErrors', Threshold: 1 });
      defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'MessageRedactor', MetricName: 'RedactionCrashes', Threshold: 1 });
    });

    it('says in every alarm description what to do first', () => {
      for (const alarm of Object.values(defaults.template.findResources('AWS::CloudWatch::Alarm'))) {
        if ((alarm.Properties.AlarmDescription as string).startsWith('A reconciliation sweep') || (alarm.Properties.AlarmDescription as string).startsWith('The reconciliation sweep')) continue;
        expect(alarm.Properties.AlarmDescription).toMatch(/First: /);
      }
    });

    it('keeps the DLQ depth alarm with Vonage accounts (their dead letters are no routine), with a retries alarm per Vonage API', () => {
      const vonage = [
        twilioAccount({ route: 'vs', provider: 'vonage-sms', secretId: 'message-redactor/vonage' }),
        twilioAccount({ route: 'vm', provider: 'vonage-messages', secretId: 'message-redactor/vonage' }),
      ];
      const { redactor } = synth({ accounts: [twilioAccount(), ...vonage] });
      expect(redactor.alarms.deadLetterQueueDepth).toBeDefined();
      expect(Object.keys(redactor.alarms.retriesByProvider)).toEqual(['twilio', 'vonage-sms', 'vonage-messages']);
    });

    it('creates no log metric filters: the functions write their metrics as EMF', () => {
      defaults.template.resourceCountIs('AWS::Logs::MetricFilter', 0);
    });

    it('has no DLQ depth alarm with a CarrierX account, whose expected dead letters would keep it on, and a retries alarm per provider', () => {
      const { template, redactor } = synth({ accounts: [twilioAccount(), twilioAccount({ route: 'cx', provider: 'carrierx', secretId: 'message-redactor/carrierx' })] });
      expect(redactor.alarms.deadLetterQueueDepth).toBeUndefined();
      expect(Object.keys(redactor.alarms.retriesByProvider)).toEqual(['twilio', 'carrierx']);
      const many = synth({ accounts: Array.from({ length: 12 }, (_, i) => twilioAccount({ route: `t${i}` })) }).redactor;
      expect(Object.keys(many.alarms.retriesByProvider)).toEqual(['twilio', 'twilio-2']);
      const depthAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
        .filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Properties.Dimensions).includes(logicalId(redactor.deadLetterQueue)));
      expect(depthAlarms).toEqual([]);
    });

    it('applies the alarm actions to every alarm', () => {
      const { template } = synth({}, {
        extend: (stack) => ({ alarmActions: [new SnsAction(new sns.Topic(stack, 'Alerts'))] }),
      });
      template.allResourcesProperties('AWS::CloudWatch::Alarm', {
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alerts') }],
      });
    });

    it('raises the default oldest-job threshold one hour beyond the longest redactAfterSeconds', () => {
      const { template } = synth({ accounts: [twilioAccount({ redactAfterSeconds: 7200 })] });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Threshold: 10_800,
      });
    });
  });

  describe('dashboard, retention and logging', () => {
    it('creates a dashboard whose first row follows callbacks → queue → redactions → DLQ, and can leave it out', () => {
      const body = JSON.stringify(defaults.template.findResources('AWS::CloudWatch::Dashboard'));
      const titles = ['1. Callbacks', '2. Redaction queue', '3. Redactions', '4. Dead-letter queue', 'Time to redact', 'Outcomes by provider', 'Backlog age'];
      const positions = titles.map((title) => body.indexOf(title));
      expect(positions.every((p) => p > 0)).toBe(true);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      expect(body).toContain('\\"stat\\":\\"p99\\"');
      synth({ dashboard: false }).template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    });

    it('keeps the DLQ when the stack is deleted, unless told otherwise', () => {
      defaults.template.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ MessageRetentionPeriod: 1_209_600 }) });
      expect(defaults.template.toJSON().Resources[ids.dlq].DeletionPolicy).toBe('Retain');
      expect(defaults.template.toJSON().Resources[ids.queue].DeletionPolicy).toBe('Delete');
      const { template, redactor } = synth({ deadLetterQueueRemovalPolicy: RemovalPolicy.DESTROY });
      expect(template.toJSON().Resources[logicalId(redactor.deadLetterQueue)].DeletionPolicy).toBe('Delete');
    });

    it('logs in JSON at the chosen level, without the platform lines, for the configured retention', () => {
      const { template } = synth({ logLevel: 'DEBUG', logRetention: RetentionDays.ONE_WEEK });
      const functions = Object.values(template.findResources('AWS::Lambda::Function'));
      expect(functions).toHaveLength(3);
      for (const fn of functions) {
        expect(fn.Properties.LoggingConfig).toEqual({ LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG', SystemLogLevel: 'WARN', LogGroup: expect.anything() });
      }
      template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
      expect(() => synth({ logLevel: 'LOUD' as 'INFO' })).toThrow('logLevel must be one of DEBUG, INFO, WARN, ERROR (got LOUD)');
    });

    it('writes WARN and up by default, and never lets Lambda drop the summed metric lines (no level: Lambda files them as INFO)', () => {
      for (const [logLevel, expected] of [[undefined, 'WARN'], ['ERROR', 'ERROR'], ['INFO', 'INFO']] as const) {
        const { template } = logLevel === undefined ? defaults : synth({ logLevel });
        for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
          expect(fn.Properties.Environment.Variables.LOG_LEVEL).toBe(expected);
          expect(fn.Properties.LoggingConfig.ApplicationLogLevel).toBe('INFO');
        }
      }
    });
  });

  describe('validation at synth', () => {
    const badConfigs: Array<{ name: string; accounts: unknown[]; message: string }> = [
      {
        name: 'a duplicate route',
        accounts: [twilioAccount(), twilioAccount()],
        message: 'invalid accounts config: accounts[1].route: duplicate route',
      },
      {
        name: 'an unknown provider',
        accounts: [twilioAccount({ provider: 'nexmo' as never })],
        message: 'invalid accounts config: accounts[0].provider: expected one of "twilio", "signalwire-compat", "signalwire-rest", "carrierx"',
      },
      {
        name: 'an unknown terminal status',
        accounts: [twilioAccount({ terminalStatuses: ['delivered', 'sent-ish'] })],
        message: 'invalid accounts config: accounts[0].terminalStatuses: unknown twilio status(es) sent-ish',
      },
    ];

    it.each(badConfigs)('fails the synth on $name, naming the key', ({ accounts, message }) => {
      expect(() => build({ accounts: accounts as AccountConfigInput[] })).toThrow(message);
    });

    it('refuses an account request limit below maxConcurrency, naming both numbers', () => {
      expect(() => build({ accounts: [twilioAccount({ maxConcurrentRequests: 8 })], maxConcurrency: 10 })).toThrow(new ConfigError([
        'MessageRedactor: 1 invalid prop(s):',
        `  - account ${twilioAccount().route}: maxConcurrentRequests (8) is below maxConcurrency (10), so each of the 10 concurrent `
        + 'redactor invocations would get less than one request; raise maxConcurrentRequests to at least 10 or lower maxConcurrency',
      ].join('\n')));
    });

    it('accepts an account request limit equal to maxConcurrency (one request per invocation)', () => {
      expect(() => build({ accounts: [twilioAccount({ maxConcurrentRequests: 10 })], maxConcurrency: 10 })).not.toThrow();
    });

    it('reports every prop conflict in one error', () => {
      expect(() => build({
        maxConcurrency: 1,
        batchSize: 20,
        redactorTimeout: Duration.seconds(10),
        httpTimeout: Duration.seconds(10),
        queueProps: { fifo: true, enforceSSL: false, retentionPeriod: Duration.days(4) },
        deadLetterQueueProps: { visibilityTimeout: Duration.hours(13) },
      })).toThrow(new ConfigError([
        'MessageRedactor: 7 invalid prop(s):',
        '  - maxConcurrency (1) must be a whole number from 2 to 1000',
        '  - batchSize above 10 requires a maxBatchingWindow of at least 1 second (SQS event source rule)',
        '  - httpTimeout (10 seconds) must be shorter than redactorTimeout (10 seconds)',
        '  - queueProps.fifo: the queues must be standard queues (jobs are independent and carry no MessageGroupId)',
        '  - queueProps.enforceSSL: the queues always deny requests without TLS',
        '  - queueProps.retentionPeriod: must be 14 days (the retry policy keeps jobs up to 13 days)',
        '  - deadLetterQueueProps.visibilityTimeout (13 hours) must be at most 12 hours',
      ].join('\n')));
    });

    it('refuses an oldest-job threshold that healthy delayed jobs would reach', () => {
      expect(() => build({
        accounts: [twilioAccount({ redactAfterSeconds: 7200 })],
        oldestMessageAgeAlarmThreshold: Duration.hours(1),
      })).toThrow('oldestMessageAgeAlarmThreshold (1 hour) must exceed the longest account wait, redactAfterSeconds or sentAgeSeconds (7200 s)');
    });

    it('raises the default oldest-job threshold for sent-age waits, up to what SQS still counts', () => {
      const { template } = synth({ accounts: [twilioAccount({ sentAgeSeconds: 172_800 })] });
      // 15 min delay + two 12 h re-delays are counted; 48 h is not: threshold 24 h 15 min + 1 h.
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900 + 86_400 + 3_600 });
    });

    it('keeps every environment under 4 KB however many accounts: 40 long ones (the environment held about 25) synthesise, their file in the layer', () => {
      const accounts = Array.from({ length: 40 }, (_, i) =>
        twilioAccount({ route: `twilio-${i}-6UOIEj2Uv4E9pEfBOjt4Y2ln`, secretId: 'message-redactor/shared', publicUrl: `https://hooks.example.com/sms/status/${i}` }));
      const { template } = synth({ accounts, dashboard: false });
      for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
        const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
        expect(Object.entries(variables).reduce((bytes, [key, value]) => bytes + key.length + JSON.stringify(value).length, 0)).toBeLessThan(1024);
      }
    });

    it('warns when a batch can outlast the redactor timeout', () => {
      const { stack } = build({
        batchSize: 20,
        maxBatchingWindow: Duration.seconds(5),
        providerConcurrency: 5,
        httpTimeout: Duration.seconds(10),
        redactorTimeout: Duration.seconds(30),
      });
      Annotations.fromStack(stack).hasWarning(
        '/Test/MessageRedactor',
        Match.stringLikeRegexp('A batch of 20 jobs at providerConcurrency 5 \\(or the account\'s share of its request limit\\), up to 1 provider request\\(s\\) per job \\(accounts\\[0\\], twilio\\) and httpTimeout 10 seconds can take 40 s'),
      );
    });

    it("counts each provider's worst-case requests per job in the batch time budget", () => {
      // CarrierX: status GET, two PATCHes, read-back GET, at 10 s each; its limit of 10 over 5
      // invocations leaves each 2 requests in flight: 5 rounds of 2 jobs.
      const thirty = { redactorTimeout: Duration.seconds(30) };
      const { stack } = build({ ...thirty, accounts: [twilioAccount(), twilioAccount({ route: 'cx', provider: 'carrierx', secretId: 'message-redactor/carrierx' })] });
      Annotations.fromStack(stack).hasWarning(
        '/Test/MessageRedactor',
        Match.stringLikeRegexp('up to 4 provider request\\(s\\) per job \\(accounts\\[1\\], carrierx\\) and httpTimeout 10 seconds can take 200 s'),
      );
      // Media deletion is bounded: 1 POST + 2 media pages + 10 deletions.
      const media = build({ ...thirty, accounts: [twilioAccount({ deleteMedia: true })], httpTimeout: Duration.seconds(3) });
      Annotations.fromStack(media.stack).hasWarning('/Test/MessageRedactor', Match.stringLikeRegexp('up to 13 provider request\\(s\\) per job .* can take 39 s'));
      Annotations.fromStack(build().stack).hasNoWarning('/Test/MessageRedactor', Match.anyValue());
    });

    it('by default gives the redactor the time its worst-case batch needs, so no account draws the warning', () => {
      const timeoutOf = (props: Partial<MessageRedactorProps>) => {
        const { stack, template, redactor } = synth(props);
        Annotations.fromStack(stack).hasNoWarning('/Test/MessageRedactor', Match.anyValue());
        const resources = template.toJSON().Resources as Record<string, { Properties: Record<string, unknown> }>;
        return {
          timeout: resources[logicalId(redactor.redactor)]!.Properties.Timeout,
          visibility: resources[logicalId(redactor.queue)]!.Properties.VisibilityTimeout,
        };
      };
      // One request per job: the 30 s floor.
      expect(timeoutOf({})).toEqual({ timeout: 30, visibility: 180 });
      // CarrierX: 4 requests × 10 s, 5 rounds (its share of its limit is 2 requests per invocation), plus 5 s.
      expect(timeoutOf({ accounts: [twilioAccount(), twilioAccount({ route: 'cx', provider: 'carrierx', secretId: 'message-redactor/carrierx' })] }))
        .toEqual({ timeout: 205, visibility: 1230 });
      // Media deletion: 13 requests × 10 s; two rounds at providerConcurrency 5.
      expect(timeoutOf({ accounts: [twilioAccount({ deleteMedia: true })], providerConcurrency: 5 })).toEqual({ timeout: 265, visibility: 1590 });
      // Capped at Lambda's 15 minutes (and then the warning says so).
      const capped = build({ accounts: [twilioAccount({ deleteMedia: true })], providerConcurrency: 1, batchSize: 10 });
      Annotations.fromStack(capped.stack).hasWarning('/Test/MessageRedactor', Match.stringLikeRegexp('can take 1300 s, not less than redactorTimeout \\(15 minutes\\)'));
    });

    it('refuses a maxReceiveCount that the longest wait and the retries after it use up, naming both numbers', () => {
      expect(() => build({ accounts: [twilioAccount({ sentAgeSeconds: 604_800 })], maxReceiveCount: 20 })).toThrow(
        'maxReceiveCount (20) is used up before jobs are redacted: accounts[0].sentAgeSeconds (604800 s) spends up to 15 receives '
        + 'waiting and the retry policy needs 12 more; set maxReceiveCount to at least 27',
      );
      expect(() => build({ accounts: [twilioAccount({ sentAgeSeconds: 604_800 })], maxReceiveCount: 27 })).not.toThrow();
      // Waits the receiver's DelaySeconds covers spend no receive.
      expect(() => build({ accounts: [twilioAccount({ redactAfterSeconds: 900 })], maxReceiveCount: 2 })).not.toThrow();
    });
  });

  describe('reconciliation sweep', () => {
    const sweepId = logicalId(defaults.redactor.sweepFunction!);
    const pageQueueId = logicalId(defaults.redactor.sweep!.pageQueue);

    it('starts every account\'s run from one schedule every hour, with the scheduled time as input', () => {
      const { template } = synth({ accounts: [twilioAccount(), twilioAccount({ route: 'second' })] });
      // The sweep's one and the audit's one, whatever the account count.
      template.resourceCountIs('AWS::Events::Rule', 2);
      const rules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { Description: Match.stringLikeRegexp('reconciliation sweep') } })) as Array<{ Properties: { ScheduleExpression: string; Targets: Array<{ InputTransformer: { InputTemplate: string } }> } }>;
      expect(rules.map((rule) => [rule.Properties.ScheduleExpression, rule.Properties.Targets[0]!.InputTransformer.InputTemplate])).toEqual([
        ['rate(1 hour)', '{"kind":"sweep-schedule","time":<time>}'],
      ]);
    });

    it('carries pages on an encrypted, TLS-only FIFO queue with a DLQ, one page per invocation', () => {
      defaults.template.hasResourceProperties('AWS::SQS::Queue', {
        FifoQueue: true,
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 6 * 300,
        RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
      });
      defaults.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: arnOf(pageQueueId),
        FunctionName: { Ref: sweepId },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      defaults.template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ SWEEP_QUEUE_URL: { Ref: pageQueueId }, REDACTION_QUEUE_URL: { Ref: ids.queue }, SWEEP_INTERVAL_SECONDS: '3600', SWEEP_LATE_STATUS_SECONDS: '172800', SWEEP_SETTLE_SECONDS: '900', SWEEP_PAGE_SIZE: '1000' }) },
      });
    });

    it('lets the sweep read the API secrets, send jobs and pages, and nothing else', () => {
      const { template, redactor } = synth({ accounts: [twilioAccount({ secretId: 'api', signingSecretId: 'signing' })] });
      const statements = roleStatements(template, logicalId(redactor.sweepFunction!.role!));
      const granted = statements.flatMap((statement) => actions(statement).map((action) => `${action} ${JSON.stringify(resources(statement))}`));
      const secretGrants = granted.filter((line) => line.startsWith('secretsmanager:'));
      expect(secretGrants.join('\n')).toContain(':secret:api-??????');
      expect(secretGrants.join('\n')).not.toContain('signing');
      const sqsGrants = new Set(statements.flatMap((statement) =>
        actions(statement).filter((a) => a.startsWith('sqs:')).flatMap((action) => resources(statement).map((resource) => `${action} ${JSON.stringify(resource)}`))));
      const jobQueue = JSON.stringify(arnOf(logicalId(redactor.queue)));
      const pageQueue = JSON.stringify(arnOf(logicalId(redactor.sweep!.pageQueue)));
      expect([...sqsGrants].sort()).toEqual([
        `sqs:ChangeMessageVisibility ${pageQueue}`,
        `sqs:DeleteMessage ${pageQueue}`,
        `sqs:GetQueueAttributes ${pageQueue}`,
        `sqs:GetQueueUrl ${pageQueue}`,
        `sqs:ReceiveMessage ${pageQueue}`,
        `sqs:SendMessage ${jobQueue}`,
        `sqs:SendMessage ${pageQueue}`,
        `sqs:SendMessage ${JSON.stringify(arnOf(logicalId(redactor.sweep!.scheduleDeadLetterQueue)))}`,
      ]);
    });

    it('parks a scheduled run that never started (undeliverable event, failed invocation) and alarms on it', () => {
      const scheduleDlq = arnOf(logicalId(defaults.redactor.sweep!.scheduleDeadLetterQueue));
      defaults.template.hasResourceProperties('AWS::Events::Rule', {
        Targets: [Match.objectLike({ DeadLetterConfig: { Arn: scheduleDlq }, RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 21_600 } })],
      });
      defaults.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: sweepId },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: scheduleDlq } },
      });
      defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: Match.stringLikeRegexp('never started'),
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
      });
      defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'SweepPagesFailed', Threshold: 2, Period: 3600 });
      defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 21_600, Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(defaults.redactor.sweep!.pageQueue), 'QueueName'] } }] });
      defaults.template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, MessageRetentionPeriod: 14 * 86_400, RedrivePolicy: Match.anyValue() });
    });

    it('records coverage in an encrypted, point-in-time-recoverable table it keeps, which the sweep may only read, write and query', () => {
      const table = logicalId(defaults.redactor.sweep!.coverageTable);
      const resource = defaults.template.toJSON().Resources[table];
      expect(resource).toMatchObject({
        Type: 'AWS::DynamoDB::Table',
        DeletionPolicy: 'Retain',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'route', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        },
      });
      const statements = roleStatements(defaults.template, logicalId(defaults.redactor.sweepFunction!.role!));
      const dynamo = statements.filter((statement) => actions(statement).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo.flatMap(actions).sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
      expect(dynamo.flatMap(resources)).toContainEqual({ 'Fn::GetAtt': [table, 'Arn'] });
      expect(defaults.template.toJSON().Resources[logicalId(defaults.redactor.sweepFunction!)].Properties.Environment.Variables.COVERAGE_TABLE_NAME).toEqual({ Ref: table });
      defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'SweepRunsStopped', Threshold: 1, Period: 3600 });
    });

    it('keeps the audit\'s evidence in a versioned, encrypted, TLS-only, private bucket, audits every account daily in one rule, and alarms on bodies held past retention', () => {
      const bucketId = logicalId(defaults.redactor.sweep!.evidenceBucket);
      expect(defaults.template.toJSON().Resources[bucketId]).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: {
          VersioningConfiguration: { Status: 'Enabled' },
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        },
      });
      expect(defaults.template.toJSON().Resources[bucketId].Properties.ObjectLockEnabled).toBeUndefined();
      defaults.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
      const statements = roleStatements(defaults.template, logicalId(defaults.redactor.sweepFunction!.role!));
      const s3 = statements.filter((statement) => actions(statement).some((a) => a.startsWith('s3:')));
      expect(s3.flatMap(actions)).toEqual(['s3:PutObject']);
      expect(s3.flatMap(resources)).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/audits/*']] }]);
      const audit = Object.values(defaults.template.findResources('AWS::Events::Rule', { Properties: { Description: Match.stringLikeRegexp('audit') } })) as Array<{ Properties: { ScheduleExpression: string; Targets: Array<{ InputTransformer: { InputTemplate: string } }> } }>;
      expect(audit.map((rule) => [rule.Properties.ScheduleExpression, rule.Properties.Targets[0]!.InputTransformer.InputTemplate])).toEqual([['rate(1 day)', '{"kind":"audit-schedule","time":<time>}']]);
      defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'BodiesHeldPastRetention',
        Dimensions: [{ Name: 'reason', Value: 'due-not-redacted' }],
        Threshold: 1,
        Period: 86_400,
      });
    });

    it('locks every report for the configured time when Object Lock is asked for', () => {
      const { template, redactor } = synth({ sweep: { audit: { objectLockRetention: Duration.days(400), objectLockMode: 'COMPLIANCE' } } });
      expect(template.toJSON().Resources[logicalId(redactor.sweep!.evidenceBucket)].Properties).toMatchObject({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } },
      });
    });

    it('alarms on parked pages and on sweep errors, with the alarm actions', () => {
      defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(defaults.redactor.sweep!.pageDeadLetterQueue), 'QueueName'] } }],
        Threshold: 1,
      });
      defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: sweepId } }],
      });
    });

    it('can be turned off, and then creates no sweep resources', () => {
      const { template, redactor } = synth({ sweep: false });
      expect(redactor.sweepFunction).toBeUndefined();
      template.resourceCountIs('AWS::Events::Rule', 0);
      template.resourceCountIs('AWS::SQS::Queue', 2);
      template.resourceCountIs('AWS::Lambda::Function', 2);
    });

    it.each([
      {
        name: 'turning it off while an account keeps bodies 30 days',
        props: { sweep: false as const, accounts: [twilioAccount({ redactAfterSeconds: 30 * 86_400 })] },
        message: 'sweep: false leaves accounts[0].redactAfterSeconds (2592000 s) unserved: a retention above 43200 s is redacted by the sweep only',
      },
      { name: 'an interval under 5 minutes', props: { sweep: { interval: Duration.minutes(1) } }, message: 'sweep.interval must be from 300 s to 86400 s (got 60 s)' },
      { name: 'a timeout beyond Lambda\'s 15 minutes', props: { sweep: { timeout: Duration.minutes(20) } }, message: 'sweep.timeout must be from 30 s to 900 s (got 1200 s)' },
      { name: 'a page size over 1000', props: { sweep: { pageSize: 5000 } }, message: 'sweep.pageSize must be a whole number from 1 to 1000 (got 5000)' },
    ])('refuses $name, naming the prop', ({ props, message }) => {
      expect(() => synth(props)).toThrow(message);
    });
  });

  describe('cdk-nag AwsSolutions', () => {
    it.each([
      { name: 'the defaults', props: {}, withKey: false },
      {
        name: 'a KMS key, alarm actions and ARN secrets',
        props: { accounts: [twilioAccount({ secretId: PARTIAL_ARN }), twilioAccount({ route: 'r2', secretId: COMPLETE_ARN })] },
        withKey: true,
      },
      { name: 'a Function URL endpoint', props: { endpoint: 'function-url' as const }, withKey: false },
    ])('finds nothing unacknowledged with $name', ({ props, withKey }) => {
      const { app } = build(props, {
        nag: true,
        extend: (stack) => (withKey
          ? {
              encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
              alarmActions: [new SnsAction(new sns.Topic(stack, 'Alerts', { enforceSSL: true }))],
            }
          : {}),
      });
      // Errors make the synth throw (in-memory app); warnings only reach the validation report.
      const assembly = app.synth();
      const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as {
        pluginReports: Array<{ pluginName: string; violations: unknown[] }>;
      };
      expect(report.pluginReports.filter((r) => r.pluginName === 'AwsSolutions')).toEqual([]);
      expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    });

    it('acknowledges exactly APIG4 on each callback route, SQS3 on the sweep\'s schedule DLQ, S1 on the evidence bucket and the audits/ prefix of its PutObject grant, with reasons', () => {
      const { app } = build();
      const acknowledged: Array<{ path: string; rules: Record<string, string> }> = [];
      for (const construct of app.node.findAll()) {
        for (const entry of construct.node.metadata) {
          if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
            // aws-cdk-lib stores the id with a namespace prefix (`Annotation::` for plain ids).
            const rules = Object.entries(entry.data as Record<string, string>).map(([id, reason]) => [id.replace(/^\w+::/, ''), reason]);
            acknowledged.push({ path: construct.node.path, rules: Object.fromEntries(rules) as Record<string, string> });
          }
        }
      }
      expect(acknowledged).toEqual([
        {
          path: 'Test/MessageRedactor/Api/POST--callbacks--twilio-6UOIEj2Uv4E9pEfBOjt4Y2ln',
          rules: { 'AwsSolutions-APIG4': expect.stringContaining("verifies each callback's provider signature") },
        },
        {
          path: 'Test/MessageRedactor/SweepRole',
          rules: { 'AwsSolutions-IAM5[Resource::<MessageRedactorSweepEvidenceBucket5FCA5C21.Arn>/audits/*]': expect.stringContaining('PutObject only') },
        },
        {
          path: 'Test/MessageRedactor/Sweep/ScheduleDeadLetterQueue',
          rules: { 'AwsSolutions-SQS3': expect.stringContaining('This queue is a dead-letter queue') },
        },
        {
          path: 'Test/MessageRedactor/Sweep/EvidenceBucket',
          rules: { 'AwsSolutions-S1': expect.stringContaining('written only by the sweep function') },
        },
      ]);
    });
  });
});

describe('Construct: MessageRedactor with a Function URL', () => {
  const { template, redactor } = synth({ endpoint: 'function-url' });

  it('exposes the receiver through an unauthenticated Function URL instead of an HTTP API', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(redactor.receiver), 'Arn'] },
    });
    expect(redactor.httpApi).toBeUndefined();
    expect(redactor.functionUrl).toBeDefined();
  });

  it('refuses throttling props, which only an HTTP API has', () => {
    expect(() => synth({ endpoint: 'function-url', throttlingRateLimit: 10 })).toThrow(
      "throttlingBurstLimit/throttlingRateLimit apply to the HTTP API only; a Function URL has no throttling (endpoint: 'function-url')",
    );
  });

  it('refuses per-route throttles, which only an HTTP API has', () => {
    expect(() => synth({ endpoint: 'function-url', routeThrottling: { 'twilio-6UOIEj2Uv4E9pEfBOjt4Y2ln': { rateLimit: 10 } } })).toThrow(
      "routeThrottling applies to the HTTP API only; a Function URL has no routes (endpoint: 'function-url')",
    );
  });
});

describe('Stack: MessageRedactorStack', () => {
  it('outputs the callback base URL and both queue URLs', () => {
    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
    const stack = new MessageRedactorStack(app, 'Test', { accounts: [twilioAccount()], redactor: { maxConcurrency: 3 } });
    const template = Template.fromStack(stack);
    const { httpApi, queue, deadLetterQueue } = stack.redactor;
    template.hasOutput('CallbackBaseUrl', {
      Value: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(httpApi!), 'ApiEndpoint'] }, '/callbacks/']] },
    });
    template.hasOutput('RedactionQueueUrl', { Value: { Ref: logicalId(queue) } });
    template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: logicalId(deadLetterQueue) } });
    // Construct props pass through the stack.
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 3 } });
  });
});

describe('Stack: MessageRedactorStack with alarmEmail', () => {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new MessageRedactorStack(app, 'Test', { accounts: [twilioAccount()], alarmEmail: 'ops@example.com' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const template = Template.fromStack(stack);
  const topicId = logicalId(stack.alarmTopic!.topic);

  it('sends every alarm, the sweep\'s included, to an SNS topic with that email subscription', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(7);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topicId } });
  });

  it('denies publishing to the topic without TLS, and passes cdk-nag', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      })]) },
    });
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  it.each([
    { value: 'ops', problem: 'no @' },
    { value: 'ops@example.com, dev@example.com', problem: 'two addresses' },
    { value: 42, problem: 'not a string' },
  ])('refuses an alarmEmail with $problem, naming the key', ({ value }) => {
    expect(() => parseAlarmEmail(value)).toThrow('context alarmEmail must be one email address (cdk deploy -c alarmEmail=ops@example.com)');
  });
});

describe('Function: loadAccountsFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'accounts-'));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('returns the accounts of a valid file', () => {
    const file = write('good.json', JSON.stringify([twilioAccount()]));
    expect(loadAccountsFile(file)).toEqual([twilioAccount()]);
  });

  it('names the file when it is not JSON', () => {
    const file = write('broken.json', '[{ "route": ');
    expect(() => loadAccountsFile(file)).toThrow(`accounts file ${file} is not valid JSON: `);
  });

  it('names the file and the key when the config is invalid', () => {
    const file = write('invalid.json', JSON.stringify([twilioAccount({ route: 'a b' })]));
    expect(() => loadAccountsFile(file)).toThrow(
      new ConfigError(`accounts file ${file}: invalid accounts config: accounts[0].route: route must be 1-128 characters of A-Z a-z 0-9 _ -`),
    );
  });

  it('accepts the committed example: one account of each provider', () => {
    const choice = chooseAccountsFile('infra/accounts.example.json', PROJECT_ROOT);
    const accounts = loadAccountsFile(choice.file);
    expect(accounts.map((a) => a.provider)).toEqual(['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx', 'vonage-sms', 'vonage-messages']);
    expect(accounts[0]).toEqual({ route: expect.stringMatching(/^twilio-[A-Za-z0-9]{24}$/), provider: 'twilio', secretId: 'message-redactor/twilio-main', deleteMedia: true });
  });

  it('falls back to the example, flagged, when neither context nor infra/accounts.json is there', () => {
    expect(chooseAccountsFile(undefined, dir)).toEqual({ file: path.join(dir, 'infra/accounts.example.json'), isExample: true });
  });
});
