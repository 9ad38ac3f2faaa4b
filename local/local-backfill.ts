import { indexByRoute, parseAccountsJson } from '../functions/core/config';
import { silentLogger } from '../functions/core/logger';
import type { ProviderName } from '../functions/core/provider-name';
import type { SweepTotals } from '../functions/core/sweep-page-job';
import { backfillJob } from '../functions/core/sweep-window';
import type { UndiciHttpClient } from '../functions/http/undici-http-client';
import { sweepDepsFromEnv } from '../functions/sweep/sweep-deps';
import { sweepPage } from '../functions/sweep/sweep-page';
import { fileSecretFetch } from './file-secrets';
import { LOCAL_ROUTES, type LocalStack } from './local-stack';

export interface LocalBackfillOptions {
  readonly since: Date;
  readonly until: Date;
  /** Messages per list request. @default 1000 */
  readonly pageSize?: number;
}

/**
 * `npm run sweep -- backfill` against a local stack, in this process: reads the provider's list page by
 * page, one request at a time, and sends a redaction job per due message to the stack's queue, where
 * the stack's redactor picks them up as it goes. Resolves with the run's totals after the last page.
 */
export async function runLocalBackfill(stack: LocalStack, provider: ProviderName, options: LocalBackfillOptions): Promise<SweepTotals> {
  const env = {
    REDACTOR_ACCOUNTS: stack.env.REDACTOR_ACCOUNTS!,
    REDACTION_QUEUE_URL: stack.queues.queueUrl,
    SWEEP_PAGE_SIZE: String(options.pageSize ?? 1000),
    // History: everything in the window is past the callbacks' grace already.
    SWEEP_SETTLE_SECONDS: '0',
  };
  const deps = sweepDepsFromEnv(env, { sqs: stack.queues.sqs, fetchSecret: fileSecretFetch(stack.secretsFile), log: silentLogger });
  const account = indexByRoute(parseAccountsJson(env.REDACTOR_ACCOUNTS, 'local stack accounts')).get(LOCAL_ROUTES[provider])!;
  try {
    let job = backfillJob(account, options.since, options.until, deps.now(), deps.schedule);
    for (;;) {
      const result = await sweepPage(job, deps);
      if (result.kind === 'done') return result.totals;
      job = result.job;
    }
  } finally {
    await (deps.http as UndiciHttpClient).close();
  }
}
