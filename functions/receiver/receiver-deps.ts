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
import { FetchHttpClient } from '../http/fetch-http-client';
import { callbackProviders } from '../providers';
import { twilioSubaccountTokenFetcher } from '../providers/twilio';
import type { ReceiverDeps } from './receive-callback';
import { SubaccountSigningSecrets } from './subaccount-signing-secrets';

/**
 * A subaccount's token is fetched while Twilio waits for the callback's answer (it allows 15 s): a
 * short budget, and few fetches at once, far below the parent's API concurrency limit.
 */
const SUBACCOUNT_TOKEN_FETCH = { timeoutMs: 3_000, maxInFlight: 4, minRefreshIntervalMs: 60_000 } as const;

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
  const hasSubaccounts = accounts.some((account) => account.subaccountSid !== undefined);
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
    ...(hasSubaccounts
      ? {
          subaccounts: new SubaccountSigningSecrets({
            fetchToken: twilioSubaccountTokenFetcher(new FetchHttpClient(SUBACCOUNT_TOKEN_FETCH.timeoutMs)),
            maxAgeMs: intEnv(env, RECEIVER_ENV.subaccountTokenMaxAgeSeconds, 3_600, 0, 86_400) * 1000,
            minRefreshIntervalMs: SUBACCOUNT_TOKEN_FETCH.minRefreshIntervalMs,
            maxFetchesInFlight: SUBACCOUNT_TOKEN_FETCH.maxInFlight,
          }),
        }
      : {}),
  };
}
