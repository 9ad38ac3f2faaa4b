import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AccountConfigInput, AccountsEntryInput } from '../functions/core/config/config';
import { silentLogger, type Logger } from '../functions/core/telemetry/logger';
import type { ProviderName } from '../functions/core/provider-rules/provider-name';
import type { RetryPolicy } from '../functions/core/redaction/retry-policy';
import { createReceiverHandler, type ReceiverHandler } from '../functions/receiver/create-handler';
import { receiverDepsFromEnv } from '../functions/receiver/receiver-deps';
import { createRedactorHandler } from '../functions/redactor/create-handler';
import { redactorDepsFromEnv } from '../functions/redactor/redactor-deps';
import type { RedactorDeps } from '../functions/redactor/process-record';
import { writeLocalEndpoints } from './local-endpoints';
import { startApiGateway, type LocalApiGateway } from './api-gateway-server';
import { fileSecretFetch } from './file-secrets';
import { startLocalCoverageStore, type LocalCoverageStore } from './local-coverage-store';
import { startLocalQueues, type LocalQueues } from './local-queues';
import { generateLocalSecrets, LOCAL_SECRET_IDS, secretsFileContent, SECRETS_FILE, type LocalPorts, type LocalSecrets } from './local-state';
import { CallbackSender } from './sandbox/callback-sender';
import type { CallbackSigningSecrets } from '../functions/providers/callback-builder';
import { NO_FAULTS, seededRandom, type FaultProfile } from './sandbox/fault-profile';
import { ProviderSandbox } from './sandbox/provider-sandbox';
import { SqsPoller } from './sqs-poller';

/**
 * Retry timings for local runs: the same policy shape as in AWS, scaled from minutes to seconds so a
 * demo or a test run with faults finishes quickly.
 */
export const LOCAL_RETRY_POLICY: RetryPolicy = {
  transientBaseSeconds: 1,
  transientCapSeconds: 4,
  notFinalBaseSeconds: 1,
  notFinalCapSeconds: 8,
  maxAgeSeconds: 600,
  maxAttempts: 100,
};

export interface LocalStackOptions {
  /** Receiver (callback endpoint) port; 0 picks a free one. */
  readonly port?: number;
  /** The provider sandbox's port; 0 picks a free one. @default 0 */
  readonly sandboxPort?: number;
  /** The SQS endpoint's port (the limits proxy); 0 picks a free one. @default 0 */
  readonly sqsPort?: number;
  /** The SQS server's port behind the proxy (part of the queue URLs). @default 0 */
  readonly sqsServerPort?: number;
  /** The accounts' credentials. @default fresh random ones */
  readonly secrets?: LocalSecrets;
  readonly faults?: FaultProfile;
  readonly seed?: number;
  /** Records one redactor invocation works on at once (PROVIDER_CONCURRENCY). */
  readonly providerConcurrency?: number;
  /** Concurrent redactor invocations (event source mapping MaximumConcurrency). */
  readonly maxConcurrency?: number;
  readonly batchSize?: number;
  readonly httpTimeoutMs?: number;
  readonly visibilityTimeoutSeconds?: number;
  /** Like the redactor function's timeout: each invocation's time budget. */
  readonly redactorTimeoutMs?: number;
  readonly maxReceiveCount?: number;
  readonly policy?: RetryPolicy;
  /** Where the local secrets file is written. */
  readonly stateDir?: string;
  /** Every account's `maxConcurrentRequests`. @default the provider's default */
  readonly maxConcurrentRequests?: number;
  readonly log?: Logger;
  /** The sandbox's clock (message dates, its `Date` header); a chaos run simulates days with it. @default Date.now */
  readonly sandboxNow?: () => number;
  /** Settings of each provider's local account on top of the defaults (a retention, say). */
  readonly accountOverrides?: Partial<Record<ProviderName, Partial<AccountConfigInput>>>;
  /**
   * Subaccounts of the sandbox's Twilio main account, served as one parent entry with the main
   * account's secret (routes `local-twilio-sub-1`…). @default 0
   */
  readonly twilioSubaccounts?: number;
}

/** A Twilio subaccount of the local stack: its SID and its callback route. */
export interface LocalSubaccount {
  readonly sid: string;
  readonly route: string;
}

export interface LocalStack {
  readonly sandbox: ProviderSandbox;
  readonly sender: CallbackSender;
  readonly queues: LocalQueues;
  /** The sweep's coverage store (dynalite): each route's checkpoint and deferred messages. */
  readonly coverage: LocalCoverageStore;
  /** The audit's evidence bucket, on the local S3 emulator (path-style at `endpoint`). */
  readonly evidence: { readonly bucket: string; readonly endpoint: string };
  /** The receiver's own SQS client, as each Lambda function has one (a chaos run makes its sends fail for a while). */
  readonly receiverSqs: SQSClient;
  readonly gateway: LocalApiGateway;
  readonly poller: SqsPoller;
  readonly accounts: readonly AccountsEntryInput[];
  /** The Twilio subaccounts served under the main account's secret (none unless asked for). */
  readonly subaccounts: readonly LocalSubaccount[];
  readonly secretsFile: string;
  /** The ports it listens on (what `npm start` keeps for the next run). */
  readonly ports: LocalPorts;
  /** One set of redactor dependencies per concurrent invocation slot, as on Lambda. */
  readonly redactorDeps: readonly RedactorDeps[];
  /** The environment both handlers' dependencies were built from (what the construct would set). */
  readonly env: Readonly<Record<string, string>>;
  callbackUrl(provider: ProviderName): string;
  stop(): Promise<void>;
}

/**
 * The sweep's grace for the callback path, locally: a demo message settles in about a second, so a
 * sweep run right after the demo leaves only the last few seconds' messages to the callbacks.
 */
export const LOCAL_SWEEP_SETTLE_SECONDS = 5;

/** The local evidence bucket the audit writes its reports to. */
export const LOCAL_EVIDENCE_BUCKET = 'message-redactor-evidence';

/** Credentials the local emulators accept (they check none): requests are still signed as in AWS. */
export const LOCAL_AWS_CREDENTIALS = async () => ({ accessKeyId: 'local', secretAccessKey: 'local' });

/** The route each provider's demo account listens on. */
export const LOCAL_ROUTES: Readonly<Record<ProviderName, string>> = {
  twilio: 'local-twilio',
  'signalwire-compat': 'local-signalwire-compat',
  'signalwire-rest': 'local-signalwire-rest',
  carrierx: 'local-carrierx',
  'vonage-sms': 'local-vonage-sms',
  'vonage-messages': 'local-vonage-messages',
};

/** The local secret a provider's account reads. */
export function localSecretOf(provider: ProviderName): keyof typeof LOCAL_SECRET_IDS {
  if (provider.startsWith('signalwire')) return 'signalwire';
  if (provider.startsWith('vonage')) return 'vonage';
  return provider as 'twilio' | 'carrierx';
}

/**
 * The whole pipeline on this machine, wired like the deployment: callback endpoint (real HTTP server
 * → the receiver handler), SQS queue + DLQ (fauxqs through the AWS SDK), the event-source poller
 * (→ the redactor handler), secrets from a local file, and the provider sandbox with one account per
 * provider.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const random = seededRandom(options.seed ?? 42);
  const secrets = options.secrets ?? generateLocalSecrets();
  const sandbox = new ProviderSandbox({
    credentials: { twilio: secrets.twilio, signalwire: secrets.signalwire, carrierx: { token: secrets.carrierx.token }, vonage: secrets.vonage },
    faults: options.faults ?? NO_FAULTS,
    seed: options.seed ?? 42,
    ...(options.sandboxNow === undefined ? {} : { now: options.sandboxNow }),
  });
  await sandbox.start(options.sandboxPort ?? 0);
  const subaccounts: LocalSubaccount[] = Array.from({ length: options.twilioSubaccounts ?? 0 }, (_, i) => ({
    sid: sandbox.createTwilioSubaccount(`Local clinic ${i + 1}`).sid,
    route: `local-twilio-sub-${i + 1}`,
  }));
  const queues = await startLocalQueues({
    ...(options.sqsServerPort === undefined ? {} : { port: options.sqsServerPort }),
    ...(options.sqsPort === undefined ? {} : { endpointPort: options.sqsPort }),
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    maxReceiveCount: options.maxReceiveCount ?? 100,
  });
  const coverage = await startLocalCoverageStore();
  const evidence = { bucket: LOCAL_EVIDENCE_BUCKET, endpoint: `http://127.0.0.1:${queues.server.port}` };
  queues.server.createBucket(evidence.bucket);
  let receiver: ReceiverHandler = async () => ({ statusCode: 503, body: '{"error":"starting"}' });
  const gateway = await startApiGateway((event) => receiver(event), {
    routes: [...Object.values(LOCAL_ROUTES), ...subaccounts.map((s) => s.route)],
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  const callbackUrl = (provider: ProviderName) => `${gateway.origin}/callbacks/${LOCAL_ROUTES[provider]}`;

  const providers = Object.keys(LOCAL_ROUTES) as ProviderName[];
  const accounts: AccountsEntryInput[] = providers.map((provider): AccountConfigInput => ({
    route: LOCAL_ROUTES[provider],
    provider,
    // Both SignalWire APIs use one project, and both Vonage APIs one API key: one secret each, as a
    // real deployment would.
    secretId: LOCAL_SECRET_IDS[localSecretOf(provider)],
    // Signatures are made over the URL the provider called: here plain http on loopback.
    publicUrl: callbackUrl(provider),
    apiBaseUrl: sandbox.apiBaseUrl(provider),
    ...(provider === 'twilio' || provider === 'signalwire-compat' ? { deleteMedia: true } : {}),
    // The sandbox does not hold Vonage's first hour back (its "not final yet" fault stands in), so the
    // demo redacts at once rather than after the default hour.
    ...(provider.startsWith('vonage') ? { redactAfterSeconds: 0 } : {}),
    ...(options.maxConcurrentRequests === undefined ? {} : { maxConcurrentRequests: options.maxConcurrentRequests }),
    ...options.accountOverrides?.[provider],
  }));
  if (subaccounts.length > 0) {
    // The main account's secret acts on each subaccount's messages and fetches its signing token.
    accounts.push({
      provider: 'twilio',
      secretId: LOCAL_SECRET_IDS.twilio,
      subaccounts: subaccounts.map((s) => ({ route: s.route, accountSid: s.sid })),
      publicUrlBase: `${gateway.origin}/callbacks/`,
      apiBaseUrl: sandbox.apiBaseUrl('twilio'),
      deleteMedia: true,
      ...(options.maxConcurrentRequests === undefined ? {} : { maxConcurrentRequests: options.maxConcurrentRequests }),
    });
  }
  const stateDir = options.stateDir ?? '.local-state';
  await mkdir(stateDir, { recursive: true });
  const secretsFile = join(stateDir, SECRETS_FILE);
  await writeFile(secretsFile, JSON.stringify(secretsFileContent(secrets), null, 2), { mode: 0o600 });
  const ports: LocalPorts = {
    gateway: Number(new URL(gateway.origin).port),
    sandbox: Number(new URL(sandbox.apiBaseUrl('twilio')).port),
    sqs: Number(new URL(queues.endpoint).port),
    sqsServer: queues.server.port,
  };

  // Lets `npm run dlq`, `npm run sweep` and `npm run trigger` (other processes) find these queues,
  // accounts, secrets and the sandbox.
  await writeLocalEndpoints(stateDir, {
    sqsEndpoint: queues.endpoint,
    queueUrl: queues.queueUrl,
    deadLetterQueueUrl: queues.deadLetterQueueUrl,
    sandboxOrigin: new URL(sandbox.apiBaseUrl('twilio')).origin,
    accounts,
    secretsFile: resolve(secretsFile),
    sweepSettleSeconds: LOCAL_SWEEP_SETTLE_SECONDS,
    coverageEndpoint: coverage.endpoint,
    coverageTable: coverage.tableName,
    evidenceEndpoint: evidence.endpoint,
    evidenceBucket: evidence.bucket,
  });

  const env = {
    REDACTOR_ACCOUNTS: JSON.stringify(accounts),
    REDACTION_QUEUE_URL: queues.queueUrl,
    DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
    PROVIDER_CONCURRENCY: String(options.providerConcurrency ?? 10),
    HTTP_TIMEOUT_MS: String(options.httpTimeoutMs ?? 2_000),
    MAX_RECEIVE_COUNT: String(options.maxReceiveCount ?? 100),
    // As the construct sets it: each slot below takes its share of every account's request limit.
    REDACTOR_MAX_CONCURRENCY: String(options.maxConcurrency ?? 2),
    COVERAGE_TABLE_NAME: coverage.tableName,
    EVIDENCE_BUCKET: evidence.bucket,
  };
  const overrides = { sqs: queues.sqs, fetchSecret: fileSecretFetch(secretsFile), log: options.log ?? silentLogger };
  const receiverSqs = new SQSClient({
    endpoint: `http://127.0.0.1:${queues.server.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  receiver = createReceiverHandler(receiverDepsFromEnv(env, { ...overrides, sqs: receiverSqs }));
  // Each concurrent invocation gets its own execution environment (HTTP pool, secret cache), as on Lambda.
  const redactorDeps = Array.from({ length: Number(env.REDACTOR_MAX_CONCURRENCY) }, () =>
    redactorDepsFromEnv(env, {
      ...overrides,
      policy: options.policy ?? { ...LOCAL_RETRY_POLICY, maxAttempts: options.maxReceiveCount ?? 100 },
    }),
  );
  const poller = new SqsPoller({
    sqs: queues.sqs,
    queueUrl: queues.queueUrl,
    handlers: redactorDeps.map(createRedactorHandler),
    batchSize: options.batchSize ?? 10,
    invocationTimeoutMs: options.redactorTimeoutMs ?? 30_000,
  });
  poller.start();

  const signing: CallbackSigningSecrets = {
    twilio: secrets.twilio,
    signalwire: { projectId: secrets.signalwire.projectId, signingKey: secrets.signalwire.signingKey },
    carrierx: { callbackToken: secrets.carrierx.callbackToken },
    vonage: { apiKey: secrets.vonage.apiKey, signatureSecret: secrets.vonage.signatureSecret },
  };
  const sender = new CallbackSender({ sandbox, secrets: signing, callbackUrl, faults: options.faults ?? NO_FAULTS, random });

  return {
    sandbox,
    sender,
    queues,
    coverage,
    evidence,
    receiverSqs,
    gateway,
    poller,
    accounts,
    subaccounts,
    secretsFile,
    ports,
    redactorDeps,
    env,
    callbackUrl,
    async stop() {
      await poller.stop();
      await gateway.stop();
      receiverSqs.destroy();
      for (const deps of redactorDeps) await (deps.http as { close?: () => Promise<void> }).close?.();
      await queues.stop();
      await coverage.stop();
      await sandbox.stop();
    },
  };
}
