import { readFileSync } from 'node:fs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DepsOverrides } from '../aws/deps-overrides';
import { secretsManagerFetch } from '../aws/secrets-manager';
import { SqsJobQueue } from '../aws/sqs-queues';
import { accountsFromEnv } from '../core/config/accounts-source';
import { indexByRoute } from '../core/config/config';
import { intEnv, requireEnv, type Env } from '../core/config/env';
import { RECEIVER_ENV } from '../core/config/lambda-env';
import { createJsonLogger, logLevelFromEnv, metricDetailFromEnv } from '../core/telemetry/logger';
import { MetricBuffer } from '../core/telemetry/metric-buffer';
import { CachedSecretStore } from '../core/secrets/secret-store';
import { callbackProviders } from '../providers';
import type { ReceiverDeps } from './receive-callback';

/**
 * Builds the receiver's dependencies from its environment, once per execution environment.
 * A bad config throws a ConfigError naming the key, so the cold start fails loudly.
 */
export function receiverDepsFromEnv(
  env: Env,
  overrides: DepsOverrides = {},
): ReceiverDeps {
  const accounts = accountsFromEnv(env, (file) => readFileSync(file, 'utf8'));
  const sqs = overrides.sqs ?? new SQSClient({});
  return {
    accounts: indexByRoute(accounts),
    providers: callbackProviders,
    secrets: new CachedSecretStore({
      fetch: overrides.fetchSecret ?? secretsManagerFetch(new SecretsManagerClient({})),
      maxAgeMs: intEnv(env, RECEIVER_ENV.secretMaxAgeSeconds, 300, 0, 86_400) * 1000,
    }),
    queue: new SqsJobQueue(sqs, requireEnv(env, RECEIVER_ENV.queueUrl)),
    now: () => new Date(),
    log: overrides.log ?? createJsonLogger({ level: logLevelFromEnv(env), metricDetail: metricDetailFromEnv(env), metricBuffer: new MetricBuffer() }),
    maxBodyBytes: intEnv(env, RECEIVER_ENV.maxBodyBytes, 64 * 1024, 1024, 1024 * 1024),
  };
}
