import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DepsOverrides } from '../aws/deps-overrides';
import { secretsManagerFetch } from '../aws/secrets-manager';
import { SqsJobQueue, SqsSweepQueue } from '../aws/sqs-queues';
import { indexByRoute, parseAccountsJson } from '../core/config';
import { intEnv, requireEnv, type Env } from '../core/env';
import { SWEEP_ENV } from '../core/lambda-env';
import { createJsonLogger, logLevelFromEnv } from '../core/logger';
import { CachedSecretStore } from '../core/secret-store';
import { DEFAULT_SWEEP_SCHEDULE, type SweepSchedule } from '../core/sweep-window';
import { UndiciHttpClient } from '../http/undici-http-client';
import { listingProviders } from '../providers';
import type { SweepDeps } from './sweep-page';

/** The sweep function's dependencies: those of one page, plus the page queue and the schedule. */
export interface SweepFunctionDeps extends SweepDeps {
  readonly pages: Pick<SqsSweepQueue, 'send'>;
  readonly schedule: SweepSchedule;
}

/** Builds the sweep's dependencies from its environment, once per execution environment. */
export function sweepDepsFromEnv(env: Env, overrides: DepsOverrides = {}): SweepFunctionDeps {
  const accounts = parseAccountsJson(env[SWEEP_ENV.accounts], SWEEP_ENV.accounts);
  const sqs = overrides.sqs ?? new SQSClient({});
  const sweepQueueUrl = env[SWEEP_ENV.sweepQueueUrl];
  return {
    accounts: indexByRoute(accounts),
    listers: listingProviders,
    secrets: new CachedSecretStore({
      fetch: overrides.fetchSecret ?? secretsManagerFetch(new SecretsManagerClient({})),
      maxAgeMs: intEnv(env, SWEEP_ENV.secretMaxAgeSeconds, 300, 0, 86_400) * 1000,
    }),
    http: new UndiciHttpClient({ timeoutMs: intEnv(env, SWEEP_ENV.httpTimeoutMs, 30_000, 100, 120_000), connectionsPerOrigin: 4 }),
    jobs: new SqsJobQueue(sqs, requireEnv(env, SWEEP_ENV.queueUrl)),
    // The command line drives pages itself and has no page queue.
    pages: sweepQueueUrl ? new SqsSweepQueue(sqs, sweepQueueUrl) : { send: async () => { throw new Error(`${SWEEP_ENV.sweepQueueUrl} is not set`); } },
    now: () => new Date(),
    // No MetricBuffer: a run is a few invocations an hour, so summing saves nothing, and a busy run's
    // counts would wait for the next run.
    log: overrides.log ?? createJsonLogger({ level: logLevelFromEnv(env) }),
    pageSize: intEnv(env, SWEEP_ENV.pageSize, 1000, 1, 1000),
    schedule: {
      intervalSeconds: intEnv(env, SWEEP_ENV.intervalSeconds, DEFAULT_SWEEP_SCHEDULE.intervalSeconds, 60, 7 * 86_400),
      lateStatusSeconds: intEnv(env, SWEEP_ENV.lateStatusSeconds, DEFAULT_SWEEP_SCHEDULE.lateStatusSeconds, 0, 30 * 86_400),
      settleSeconds: intEnv(env, SWEEP_ENV.settleSeconds, DEFAULT_SWEEP_SCHEDULE.settleSeconds, 0, 86_400),
    },
  };
}
