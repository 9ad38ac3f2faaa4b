import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLER_ASSETS_DIR, type HandlerName } from '../../infra/handler-assets';
import { MessageRedactor } from '../../infra/message-redactor';
import { buildSqsEvent } from '../../local/events/sqs-event';
import { deadLetters } from '../../local/demo-run';
import { LOCAL_ROUTES, startLocalStack, type LocalStack } from '../../local/local-stack';
import { generateLocalSecrets, secretsFileContent } from '../../local/local-state';
import { buildCallback } from '../../functions/providers/callback-builder';
import { SqsPoller } from '../../local/sqs-poller';
import { startFakeSecretsManager, type FakeSecretsManager } from '../../bench/fake-secrets-manager';
import { toApiGatewayEvent } from '../../bench/twilio-callbacks';
import { waitFor } from '../support/wait-for';

type Handler = (event: unknown, context?: unknown) => Promise<unknown>;

/**
 * What is deployed is what is tested: the handlers `npm run build` made, each loaded as Lambda loads
 * it, with exactly the environment the synthesised template gives that function (its references
 * resolved to the local stack's queues, table and bucket) plus what the Lambda platform sets (region,
 * credentials, here the SDK's endpoint settings pointing at the local emulators). A variable the code
 * needs and the template does not set fails here, not in a deployment.
 */
describe('The built bundles, with the template\'s environment, through the local stack', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'redactor-bundles-'));
  const secrets = generateLocalSecrets();
  const signing = { twilio: secrets.twilio, signalwire: { projectId: secrets.signalwire.projectId, signingKey: secrets.signalwire.signingKey }, carrierx: { callbackToken: secrets.carrierx.callbackToken }, vonage: { apiKey: secrets.vonage.apiKey, signatureSecret: secrets.vonage.signatureSecret } };
  let stack: LocalStack;
  let secretsManager: FakeSecretsManager;
  let pageQueueUrl: string;
  let environments: Record<HandlerName, Record<string, string>>;
  let platform: Record<string, string>;
  let poller: SqsPoller | undefined;
  const saved = { ...process.env };
  const warn = console.warn;

  beforeAll(async () => {
    stack = await startLocalStack({ stateDir, secrets });
    // The TypeScript redactor stops: the bundle's handler takes its place below.
    await stack.poller.stop();
    pageQueueUrl = stack.queues.server.createQueue('sweep-pages.fifo', { attributes: { FifoQueue: 'true', VisibilityTimeout: '30' } }).queueUrl;
    secretsManager = await startFakeSecretsManager(secretsFileContent(secrets));

    const app = new App();
    const cdkStack = new Stack(app, 'Deployed');
    const redactor = new MessageRedactor(cdkStack, 'MessageRedactor', { accounts: stack.accounts });
    const template = Template.fromStack(cdkStack).toJSON() as { Resources: Record<string, { Properties: { Environment?: { Variables: Record<string, unknown> } } }> };
    const refs = new Map<string, string>([
      [logicalId(redactor.queue), stack.queues.queueUrl],
      [logicalId(redactor.deadLetterQueue), stack.queues.deadLetterQueueUrl],
      [logicalId(redactor.sweep!.pageQueue), pageQueueUrl],
      [logicalId(redactor.sweep!.coverageTable), stack.coverage.tableName],
      [logicalId(redactor.sweep!.evidenceBucket), stack.evidence.bucket],
    ]);
    // Lambda unpacks each layer under /opt: the accounts file is read from the synthesised layer asset.
    const assembly = app.synth();
    const layerKey = (template.Resources[logicalId(redactor.accountsLayer)]!.Properties as unknown as { Content: { S3Key: string } }).Content.S3Key;
    const opt = path.join(assembly.directory, `asset.${layerKey.replace(/\.zip$/, '')}`);
    const envOf = (fn: IConstruct): Record<string, string> => {
      const variables = template.Resources[logicalId(fn)]!.Properties.Environment!.Variables;
      const environment = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolve(name, value, refs)]));
      if (environment.REDACTOR_ACCOUNTS_FILE?.startsWith('/opt/')) environment.REDACTOR_ACCOUNTS_FILE = path.join(opt, environment.REDACTOR_ACCOUNTS_FILE.slice('/opt/'.length));
      return environment;
    };
    environments = { receiver: envOf(redactor.receiver), redactor: envOf(redactor.redactor), sweep: envOf(redactor.sweepFunction!) };
    platform = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'ASIALOCALLOCALLOCAL0',
      AWS_SECRET_ACCESS_KEY: 'local/local/local/local/local/local/local0',
      AWS_SESSION_TOKEN: 'local-session',
      AWS_ENDPOINT_URL_SQS: stack.queues.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: stack.coverage.endpoint,
      AWS_ENDPOINT_URL_S3: stack.evidence.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    // The platform's settings stay for the whole run (the SDK reads some of them on first use).
    Object.assign(process.env, platform);
    // The emulator's queue URLs (sqs.us-east-1.127.0.0.1) are no valid URL hosts: the SDK's SQS client
    // warns on each call, then uses the configured endpoint, as it must. AWS's queue URLs parse.
    console.warn = (...args: unknown[]) => {
      if ((args[0] as { code?: string; input?: string } | undefined)?.code === 'ERR_INVALID_URL' && String((args[0] as { input?: string }).input).startsWith('http://sqs.')) return;
      warn(...args);
    };
  }, 60_000);

  afterAll(async () => {
    await poller?.stop();
    await stack.stop();
    await secretsManager.stop();
    console.warn = warn;
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Imports a built handler with the platform's settings and the function's own, and nothing else of ours. */
  async function load(name: HandlerName, environment: Record<string, string> = environments[name], tag = ''): Promise<Handler> {
    const before = { ...process.env };
    for (const key of Object.keys(process.env)) if (key in environments.receiver || key in environments.redactor || key in environments.sweep) delete process.env[key];
    Object.assign(process.env, environment);
    try {
      const url = `${pathToFileURL(path.join(HANDLER_ASSETS_DIR, name, 'index.mjs')).href}?${name}${tag}`;
      return ((await import(url)) as { handler: Handler }).handler;
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in before)) delete process.env[key];
      Object.assign(process.env, before);
    }
  }

  /** Runs the sweep's page queue to empty through a handler, as the FIFO event source would. */
  async function drainPages(handler: Handler): Promise<number> {
    let pages = 0;
    for (let idle = 0; idle < 2; ) {
      const received = await stack.queues.sqs.send(new ReceiveMessageCommand({ QueueUrl: pageQueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, AttributeNames: ['All'] }));
      const message = received.Messages?.[0];
      if (message === undefined) {
        idle++;
        continue;
      }
      idle = 0;
      const result = (await handler(buildSqsEvent([{ messageId: message.MessageId!, receiptHandle: message.ReceiptHandle!, body: message.Body!, receiveCount: 1 }], 'arn:aws:sqs:us-east-1:000000000000:sweep-pages.fifo'))) as { batchItemFailures: unknown[] };
      expect(result.batchItemFailures).toEqual([]);
      await stack.queues.sqs.send(new DeleteMessageCommand({ QueueUrl: pageQueueUrl, ReceiptHandle: message.ReceiptHandle! }));
      pages++;
    }
    return pages;
  }

  it('callback → receiver bundle → queue → redactor bundle → body gone; a CarrierX job to the DLQ with its reason', { timeout: 60_000 }, async () => {
    const receiver = await load('receiver');
    const redactor = await load('redactor');
    poller = new SqsPoller({ sqs: stack.queues.sqs, queueUrl: stack.queues.queueUrl, handlers: [redactor as never], batchSize: 10, invocationTimeoutMs: 30_000 });
    poller.start();

    const twilio = stack.sandbox.createMessage('twilio', { body: 'Bundled: your code is 424242', status: 'delivered' });
    const answer = (await receiver(toApiGatewayEvent(buildCallback(twilio, 'delivered', stack.callbackUrl('twilio'), signing), LOCAL_ROUTES.twilio))) as { statusCode: number };
    expect(answer.statusCode).toBe(200);
    await waitFor(() => twilio.body === '', 20_000, 'the redactor bundle to redact');

    const carrierx = stack.sandbox.createMessage('carrierx', { body: 'Bundled: carrierx body', status: 'delivered' });
    const cx = (await receiver(toApiGatewayEvent(buildCallback(carrierx, 'delivered', stack.callbackUrl('carrierx'), signing), LOCAL_ROUTES.carrierx))) as { statusCode: number };
    expect(cx.statusCode).toBe(200);
    await waitFor(() => deadLetters(stack).get(carrierx.id) === 'provider-cannot-redact', 20_000, 'the CarrierX job in the DLQ');
    expect(secretsManager.calls()).toBeGreaterThan(0);
  });

  it('a scheduled sweep run and an audit through the sweep bundle: checkpoint, jobs, evidence', { timeout: 90_000 }, async () => {
    const sweep = await load('sweep');
    const now = Date.now();
    const history = stack.sandbox.seedHistory('twilio', { count: 25, sentAt: (i) => now - 40 * 60_000 + i * 1000, status: 'delivered' });
    await sweep({ kind: 'sweep-schedule', route: LOCAL_ROUTES.twilio, time: new Date(now).toISOString() });
    expect(await drainPages(sweep)).toBeGreaterThanOrEqual(3);
    expect(await stack.coverage.store.readCheckpoint(LOCAL_ROUTES.twilio)).toMatchObject({ completedRuns: 1 });
    await waitFor(() => history.every((m) => stack.sandbox.messages.get(m.id)!.body === ''), 30_000, 'the sweep\'s jobs to be redacted');

    await sweep({ kind: 'audit-schedule', time: new Date().toISOString() });
    expect(await drainPages(sweep)).toBeGreaterThanOrEqual(4);
    const listed = await fetch(`${stack.evidence.endpoint}/${stack.evidence.bucket}?list-type=2&prefix=audits/`);
    const keys = [...(await listed.text()).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]!);
    for (const route of Object.values(LOCAL_ROUTES)) {
      expect(keys.some((key) => key.startsWith(`audits/${route}/`) && key.endsWith('/report.json'))).toBe(true);
      expect(keys.some((key) => key.startsWith(`audits/${route}/`) && key.endsWith('/report.csv'))).toBe(true);
    }
  });

  it('fails when the template leaves out a variable the code needs', { timeout: 30_000 }, async () => {
    const { COVERAGE_TABLE_NAME: _table, ...withoutTable } = environments.sweep;
    const sweep = await load('sweep', withoutTable, '-no-table');
    await expect(sweep({ kind: 'sweep-schedule', route: LOCAL_ROUTES['signalwire-compat'], time: new Date().toISOString() })).rejects.toThrow('COVERAGE_TABLE_NAME is not set');
    const { REDACTION_QUEUE_URL: _queue, ...withoutQueue } = environments.receiver;
    await expect(load('receiver', withoutQueue, '-no-queue')).rejects.toThrow('REDACTION_QUEUE_URL');
  });
});

function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

/** A template value as the deployed function sees it: strings as they are, references to the local resources. */
function resolve(name: string, value: unknown, refs: ReadonlyMap<string, string>): string {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: string }).Ref;
  if (ref !== undefined && refs.has(ref)) return refs.get(ref)!;
  throw new Error(`the template sets ${name} to ${JSON.stringify(value)}, which this test cannot resolve to a local resource`);
}
