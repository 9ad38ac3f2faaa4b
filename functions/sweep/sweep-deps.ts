import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DepsOverrides } from '../aws/deps-overrides';
import { DynamoDbCoverageStore } from '../aws/dynamodb-coverage-store';
import { S3EvidenceStore } from '../aws/s3-evidence-store';
import type { EvidenceStore } from '../core/reconciliation/evidence-store';
import { secretsManagerFetch } from '../aws/secrets-manager';
import { SqsJobQueue, SqsSweepQueue } from '../aws/sqs-queues';
import { accountsFromEnv } from '../core/config/accounts-source';
import { indexByRoute } from '../core/config/config';
import { intEnv, type Env } from '../core/config/env';
import { SWEEP_ENV } from '../core/config/lambda-env';
import { createJsonLogger, logLevelFromEnv, metricDetailFromEnv } from '../core/telemetry/logger';
import { CachedSecretStore } from '../core/secrets/secret-store';
import type { CoverageStore } from '../core/reconciliation/coverage-store';
import { ConfigError } from '../core/runtime/errors';
import { DEFAULT_SWEEP_SCHEDULE } from '../core/reconciliation/sweep-window';
import { UndiciHttpClient } from '../http/undici-http-client';
import { listingProviders } from '../providers';
import type { AuditDeps } from './audit-run';
import type { CoverageDeps } from './coverage-run';

/** The sweep function's dependencies: those of a checkpointed run and of an audit, plus the page queue. */
export interface SweepFunctionDeps extends CoverageDeps, AuditDeps {
  readonly pages: Pick<SqsSweepQueue, 'send' | 'sendFanOut'>;
}

const noPageQueue = async (): Promise<never> => {
  throw new Error(`${SWEEP_ENV.sweepQueueUrl} is not set`);
};

const noJobQueue = async (): Promise<never> => {
  throw new ConfigError(`${SWEEP_ENV.queueUrl} is not set: enqueueing redactions needs the redaction queue`);
};

/** Builds the sweep's dependencies from its environment, once per execution environment. */
export function sweepDepsFromEnv(env: Env, overrides: DepsOverrides = {}): SweepFunctionDeps {
  const accounts = accountsFromEnv(env, (file) => readFileSync(file, 'utf8'));
  const sqs = overrides.sqs ?? new SQSClient({});
  const sweepQueueUrl = env[SWEEP_ENV.sweepQueueUrl];
  const coverageTable = env[SWEEP_ENV.coverageTable];
  const evidenceBucket = env[SWEEP_ENV.evidenceBucket];
  const queueUrl = env[SWEEP_ENV.queueUrl];
  const http = new UndiciHttpClient({ timeoutMs: intEnv(env, SWEEP_ENV.httpTimeoutMs, 30_000, 100, 120_000), connectionsPerOrigin: 4 });
  return {
    accounts: indexByRoute(accounts),
    listers: listingProviders,
    secrets: new CachedSecretStore({
      fetch: overrides.fetchSecret ?? secretsManagerFetch(new SecretsManagerClient({})),
      maxAgeMs: intEnv(env, SWEEP_ENV.secretMaxAgeSeconds, 300, 0, 86_400) * 1000,
    }),
    http,
    // The construct always sets it; the command line's verify reads a list and enqueues nothing.
    jobs: queueUrl ? new SqsJobQueue(sqs, queueUrl) : { sendBatch: noJobQueue },
    // The command line drives pages itself and has no page queue.
    pages: sweepQueueUrl ? new SqsSweepQueue(sqs, sweepQueueUrl) : { send: noPageQueue, sendFanOut: noPageQueue },
    now: () => new Date(),
    // No MetricBuffer: a run is a few invocations an hour, so summing saves nothing, and a busy run's
    // counts would wait for the next run.
    log: overrides.log ?? createJsonLogger({ level: logLevelFromEnv(env), metricDetail: metricDetailFromEnv(env) }),
    pageSize: intEnv(env, SWEEP_ENV.pageSize, 1000, 1, 1000),
    // Backfill and verify on the command line read no checkpoint; a scheduled run without one fails loudly.
    coverage: coverageTable
      ? new DynamoDbCoverageStore(overrides.dynamodb ?? new DynamoDBClient({}), coverageTable)
      : missingCoverageStore(),
    // 10,000 pages of 1,000 is ten million messages in one run: far past any real backlog, short of forever.
    maxPagesPerRun: intEnv(env, SWEEP_ENV.maxPagesPerRun, 10_000, 1, 1_000_000),
    evidence: evidenceBucket
      ? new S3EvidenceStore(http, {
        bucket: evidenceBucket,
        region: env.AWS_REGION ?? 'us-east-1',
        // The SDK's own setting for another S3 endpoint (path-style): a local emulator, a VPC endpoint.
        ...((overrides.s3Endpoint ?? env.AWS_ENDPOINT_URL_S3) === undefined ? {} : { endpoint: (overrides.s3Endpoint ?? env.AWS_ENDPOINT_URL_S3)! }),
        ...(overrides.awsCredentials === undefined ? {} : { credentials: overrides.awsCredentials }),
      })
      : { put: async () => { throw new ConfigError(`${SWEEP_ENV.evidenceBucket} is not set: an audit needs the evidence bucket`); } } satisfies EvidenceStore,
    auditLookbackSeconds: intEnv(env, SWEEP_ENV.auditLookbackSeconds, 7 * 86_400, 0, 400 * 86_400),
    schedule: {
      intervalSeconds: intEnv(env, SWEEP_ENV.intervalSeconds, DEFAULT_SWEEP_SCHEDULE.intervalSeconds, 60, 7 * 86_400),
      lateStatusSeconds: intEnv(env, SWEEP_ENV.lateStatusSeconds, DEFAULT_SWEEP_SCHEDULE.lateStatusSeconds, 0, 30 * 86_400),
      settleSeconds: intEnv(env, SWEEP_ENV.settleSeconds, DEFAULT_SWEEP_SCHEDULE.settleSeconds, 0, 86_400),
    },
  };
}

/** Stands in when no coverage table is configured: any use names the missing setting. */
function missingCoverageStore(): CoverageStore {
  const missing = async (): Promise<never> => {
    throw new ConfigError(`${SWEEP_ENV.coverageTable} is not set: a scheduled run needs the coverage table`);
  };
  return { readCheckpoint: missing, writeCheckpoint: missing, renewLease: missing, putDeferred: missing, queryDeferred: missing };
}
