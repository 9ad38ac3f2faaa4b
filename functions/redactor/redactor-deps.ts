import { readFileSync } from 'node:fs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DepsOverrides } from '../aws/deps-overrides';
import { secretsManagerFetch } from '../aws/secrets-manager';
import { SqsDeadLetterQueue, SqsJobQueue } from '../aws/sqs-queues';
import { accountsFromEnv } from '../core/config/accounts-source';
import { indexByRoute } from '../core/config/config';
import { intEnv, requireEnv, type Env } from '../core/config/env';
import { REDACTOR_ENV } from '../core/config/lambda-env';
import { createJsonLogger, logLevelFromEnv, metricDetailFromEnv } from '../core/telemetry/logger';
import { MetricBuffer } from '../core/telemetry/metric-buffer';
import { DEFAULT_RETRY_POLICY } from '../core/redaction/retry-policy';
import { CachedSecretStore } from '../core/secrets/secret-store';
import { UndiciHttpClient } from '../http/undici-http-client';
import { redactionProviders } from '../providers';
import { AccountRequestLimits } from './account-request-limits';
import type { RedactorDeps } from './process-record';

/** Time for the SQS calls that settle a record (visibility change, DLQ send) after its last provider request. */
const SETTLE_RESERVE_MS = 2_000;

/** Builds the redactor's dependencies from its environment, once per execution environment. */
export function redactorDepsFromEnv(
  env: Env,
  overrides: DepsOverrides = {},
): RedactorDeps {
  const accounts = accountsFromEnv(env, (file) => readFileSync(file, 'utf8'));
  const sqs = overrides.sqs ?? new SQSClient({});
  const concurrency = intEnv(env, REDACTOR_ENV.providerConcurrency, 10, 1, 100);
  const httpTimeoutMs = intEnv(env, REDACTOR_ENV.httpTimeoutMs, 10_000, 100, 60_000);
  return {
    accounts: indexByRoute(accounts),
    providers: redactionProviders,
    secrets: new CachedSecretStore({
      fetch: overrides.fetchSecret ?? secretsManagerFetch(new SecretsManagerClient({})),
      maxAgeMs: intEnv(env, REDACTOR_ENV.secretMaxAgeSeconds, 300, 0, 86_400) * 1000,
    }),
    http: new UndiciHttpClient({
      timeoutMs: httpTimeoutMs,
      connectionsPerOrigin: concurrency,
    }),
    queue: new SqsJobQueue(sqs, requireEnv(env, REDACTOR_ENV.queueUrl)),
    deadLetters: new SqsDeadLetterQueue(sqs, requireEnv(env, REDACTOR_ENV.deadLetterQueueUrl)),
    policy: overrides.policy ?? {
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: intEnv(env, REDACTOR_ENV.maxReceiveCount, DEFAULT_RETRY_POLICY.maxAttempts, 2, 1000),
    },
    now: () => new Date(),
    random: Math.random,
    log: overrides.log ?? createJsonLogger({ level: logLevelFromEnv(env), metricDetail: metricDetailFromEnv(env), metricBuffer: new MetricBuffer() }),
    concurrency,
    maxBatchingWindowSeconds: intEnv(env, REDACTOR_ENV.maxBatchingWindowSeconds, 0, 0, 300),
    queueVisibilityTimeoutSeconds: intEnv(env, REDACTOR_ENV.queueVisibilityTimeoutSeconds, 0, 0, 43_200),
    invocationReserveMs: httpTimeoutMs + SETTLE_RESERVE_MS,
    // The construct sets MaximumConcurrency; unset (one process alone) means this environment takes the whole limit.
    requestLimits: new AccountRequestLimits(accounts, intEnv(env, REDACTOR_ENV.maxConcurrency, 1, 1, 1000)),
  };
}
