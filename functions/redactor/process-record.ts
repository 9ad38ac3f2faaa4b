import type { Account } from '../core/config/config';
import { DeadlineHttpClient } from '../core/runtime/deadline-http-client';
import { SecretShapeError, SecretUnavailableError } from '../core/runtime/errors';
import type { HttpClient } from '../core/runtime/http-client';
import type { Logger, MetricPoint } from '../core/telemetry/logger';
import { EXPECTED_DEAD_LETTER_REASON, LOG_EVENTS, METRICS } from '../core/telemetry/telemetry-names';
import type { Outcome } from '../core/redaction/outcome';
import type { ProviderName } from '../core/provider-rules/provider-name';
import type { DeadLetterAttributes, DeadLetterSender, VisibilityController } from '../core/redaction/queues';
import { parseRedactionJob, type RedactionJob } from '../core/redaction/redaction-job';
import { decideAction, type Action, type DeadLetterReason, type RetryPolicy } from '../core/redaction/retry-policy';
import { PerSecretMemo } from '../core/secrets/per-secret-memo';
import type { SecretStore } from '../core/secrets/secret-store';
import { legalVisibilitySeconds } from '../core/redaction/visibility-budget';
import type { ProviderClient, RedactionProvider } from '../providers/provider';
import type { AccountRequestLimits } from './account-request-limits';

/** Everything the redactor needs, as one object. */
export interface RedactorDeps {
  readonly accounts: ReadonlyMap<string, Account>;
  readonly providers: Readonly<Record<ProviderName, RedactionProvider>>;
  readonly secrets: SecretStore;
  readonly http: HttpClient;
  readonly queue: VisibilityController;
  readonly deadLetters: DeadLetterSender;
  readonly policy: RetryPolicy;
  readonly now: () => Date;
  readonly random: () => number;
  readonly log: Logger;
  /** Records of one batch processed at the same time. */
  readonly concurrency: number;
  /**
   * The event source's `maxBatchingWindow`: a Lambda batch was received at most this long (plus a
   * margin) before the invocation started, which bounds the time left under SQS's 12-hour limit.
   */
  readonly maxBatchingWindowSeconds: number;
  /** The redaction queue's visibility timeout (0 when unknown): a throttled invoke may start that late. */
  readonly queueVisibilityTimeoutSeconds?: number;
  /**
   * Milliseconds kept back from the end of an invocation: a provider request started just before its
   * deadline may take the HTTP timeout, and the record must still be settled on the queue after it.
   */
  readonly invocationReserveMs: number;
  /** This environment's share of each account's provider request limit; unset: no limit (tests). */
  readonly requestLimits?: AccountRequestLimits;
}

/** One SQS record, independent of the Lambda event shape. */
export interface QueueRecord {
  readonly id: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** SQS ApproximateReceiveCount: 1 on first delivery. */
  readonly receiveCount: number;
  /**
   * No later than the ReceiveMessage that delivered this record: SQS's 12-hour visibility limit
   * counts from it, so every delay asked for must fit what is left of it.
   */
  readonly receivedAt: Date;
}

/** `done`: delete the record (redacted, or parked in the DLQ). `retry`: report it as a batch item failure. */
export type RecordResult = 'done' | 'retry';

/** Counted on the line that decides a dead letter, by its `reason`. */
const DEAD_LETTER_METRIC: MetricPoint = { name: METRICS.deadLetters, by: 'reason' };

/** Bound provider clients, memoised per cached secret object and provider. */
const clients = new PerSecretMemo<ProviderClient>();

/**
 * Processes one queue record: parse the job, load credentials, redact, and act on the outcome.
 * Never throws: every path ends acked, delayed for retry, or in the DLQ with a reason. No provider
 * request starts after `deadline`: the record is then retried soon by a fresh invocation.
 */
export async function processRecord(record: QueueRecord, deps: RedactorDeps, deadline: Date): Promise<RecordResult> {
  const parsed = parseRedactionJob(record.body);
  if (!parsed.ok) {
    deps.log.error(LOG_EVENTS.jobInvalid, { reason: 'invalid-job', code: parsed.problem, attempt: record.receiveCount }, [DEAD_LETTER_METRIC]);
    return deadLetter(record, deps, { reason: 'invalid-job', attempts: record.receiveCount });
  }
  const job = parsed.job;
  const fields = { route: job.route, provider: job.provider, messageId: job.messageId, attempt: record.receiveCount };
  const account = deps.accounts.get(job.route);
  if (account === undefined || account.provider !== job.provider) {
    // The config changed under a queued job: park it, redrivable once the config is fixed.
    deps.log.error(LOG_EVENTS.jobUnroutable, { ...fields, reason: 'unknown-route' }, [DEAD_LETTER_METRIC]);
    return deadLetter(record, deps, { ...jobAttributes(job, record), reason: 'unknown-route' });
  }

  const now = deps.now();
  if (job.notBefore !== undefined && Date.parse(job.notBefore) > now.getTime()) {
    if (record.receiveCount >= deps.policy.maxAttempts) {
      // Still waiting on the last receive SQS allows: park it with a reason rather than let the
      // redrive move it without one on the next receive. (Synth refuses a maxReceiveCount that the
      // configured waits use up; crash loops and failed visibility changes can still get here.)
      return act({ action: { type: 'dead-letter', reason: 'gave-up', code: 'waiting' }, cause: WAITING, record, job }, deps);
    }
    // A wait longer than the record's receive allows goes in hops: each receive adds one.
    const wait = Math.ceil((Date.parse(job.notBefore) - now.getTime()) / 1000);
    return act({ action: { type: 'retry', delaySeconds: wait }, cause: WAITING, record, job }, deps);
  }
  const http = new DeadlineHttpClient(deps.http, deadline, deps.now);

  let outcome: Outcome;
  let credentialsRefreshed = false;
  for (;;) {
    try {
      const secret = await deps.secrets.get(account.secretId);
      const client = clientFor(deps.providers[account.provider], account, secret);
      outcome = await client.redact(job, {
        // The provider account's request limit holds a slot for every request; the deadline then applies to each.
        http: deps.requestLimits?.httpFor(account, http, secret) ?? http,
        deleteMedia: account.deleteMedia,
        terminalStatuses: account.terminalStatuses,
        attemptBodyUpdate: account.attemptBodyUpdate,
        now: deps.now,
        ...(account.apiBaseUrl === undefined ? {} : { apiBaseUrl: account.apiBaseUrl }),
        ...(account.subaccountSid === undefined ? {} : { subaccountSid: account.subaccountSid }),
      });
    } catch (error) {
      if (error instanceof SecretShapeError) {
        deps.log.error(LOG_EVENTS.secretMalformed, { ...fields, reason: 'config', error }, [DEAD_LETTER_METRIC]);
        return deadLetter(record, deps, { ...jobAttributes(job, record), reason: 'config', code: 'secret-malformed' });
      }
      if (!(error instanceof SecretUnavailableError)) {
        // A bug, not a provider answer: let SQS redeliver; the redrive policy is the backstop.
        deps.log.error(LOG_EVENTS.redactionCrashed, { ...fields, error }, [{ name: METRICS.redactionCrashes }]);
        return 'retry';
      }
      deps.log.warn(LOG_EVENTS.secretUnavailable, { ...fields, error });
      outcome = { kind: 'transient', code: 'secret-unavailable' };
    }
    const ageSeconds = Math.max(0, (deps.now().getTime() - Date.parse(job.receivedAt)) / 1000);
    const action = decideAction(
      outcome,
      { attempt: record.receiveCount, ageSeconds, credentialsRefreshed },
      deps.policy,
      deps.random,
    );
    if (action.type === 'refresh-credentials') {
      // Credentials may have been rotated since we cached them: fetch once more, then try again.
      deps.secrets.invalidate(account.secretId);
      credentialsRefreshed = true;
      continue;
    }
    return act({ action, cause: outcome, record, job }, deps);
  }
}

function clientFor(provider: RedactionProvider, account: Account, secret: unknown): ProviderClient {
  return clients.get(secret as object, provider.provider, () => provider.bindClient(secret, account.secretId));
}

/** The job is waiting for its `notBefore`: no provider request was made, nothing failed. */
const WAITING = { kind: 'waiting' } as const;

/** A decided record: what to do with it, and why (the provider's answer, or the job still waiting). */
interface Decision {
  readonly action: Exclude<Action, { type: 'refresh-credentials' }>;
  readonly cause: Outcome | typeof WAITING;
  readonly record: QueueRecord;
  readonly job: RedactionJob;
}

async function act({ action, cause, record, job }: Decision, deps: RedactorDeps): Promise<RecordResult> {
  const outcome = cause.kind;
  const code = 'code' in cause ? cause.code : undefined;
  const fields = {
    route: job.route,
    provider: job.provider,
    messageId: job.messageId,
    status: job.status,
    attempt: record.receiveCount,
    outcome,
    action: action.type,
    ...(code === undefined ? {} : { code }),
  };
  switch (action.type) {
    case 'ack': {
      const metrics: MetricPoint[] = [{ name: METRICS.redactionOutcomes, by: 'outcome' }];
      if (outcome === 'redacted') {
        // From the terminal callback; a sweep job's receivedAt is when the sweep found it, so it
        // counts as recovered instead of skewing the distribution.
        // Under the outcome's dimensions (outcome=redacted) too: one EMF directive per line, fewer bytes.
        if (job.origin === 'sweep') metrics.push({ name: METRICS.recoveredBySweep, by: 'outcome' });
        else metrics.push({ name: METRICS.timeToRedact, unit: 'Milliseconds', by: 'outcome', value: Math.max(0, deps.now().getTime() - Date.parse(job.receivedAt)) });
      }
      // A 404 is acked (the body is not at the provider), but it is also what a wrong account or
      // apiBaseUrl looks like: a warning, and its rate is alarmed.
      if (outcome === 'not-found') deps.log.warn(LOG_EVENTS.redactionNotFound, fields, metrics);
      else deps.log.info(LOG_EVENTS.redactionDone, fields, metrics);
      return 'done';
    }
    case 'retry': {
      // SQS refuses a visibility change past 12 hours from the receive: ask for what is left of it.
      // A longer wait (notBefore, Retry-After) continues from the next receive.
      const delaySeconds = legalVisibilitySeconds(action.delaySeconds, record.receivedAt, deps.now());
      // Waiting for `notBefore` is not a retry: it must not feed the retries metric and alarm.
      if (cause.kind === 'waiting') deps.log.info(LOG_EVENTS.redactionDeferred, { ...fields, delaySeconds });
      else deps.log.info(LOG_EVENTS.redactionRetry, { ...fields, delaySeconds }, [{ name: METRICS.redactionRetries }]);
      try {
        await deps.queue.changeVisibility(record.receiptHandle, delaySeconds);
      } catch (error) {
        // The record still comes back, after the queue's visibility timeout instead of our delay.
        deps.log.warn(LOG_EVENTS.visibilityChangeFailed, { ...fields, error });
      }
      return 'retry';
    }
    case 'dead-letter':
      // CarrierX's expected dead letters are a warning with their own metric value, not an error.
      if (action.reason === EXPECTED_DEAD_LETTER_REASON) {
        deps.log.warn(LOG_EVENTS.redactionDeadLettered, { ...fields, reason: action.reason }, [DEAD_LETTER_METRIC]);
      } else {
        deps.log.error(LOG_EVENTS.redactionDeadLettered, { ...fields, reason: action.reason }, [DEAD_LETTER_METRIC]);
      }
      return deadLetter(record, deps, {
        ...jobAttributes(job, record),
        reason: action.reason,
        ...(action.code === undefined ? {} : { code: action.code }),
      });
  }
}

function jobAttributes(job: RedactionJob, record: QueueRecord): Omit<DeadLetterAttributes, 'reason'> {
  return { provider: job.provider, route: job.route, messageId: job.messageId, attempts: record.receiveCount };
}

/** Parks the record in the DLQ; if that fails, reports it for retry so it is never lost. */
async function deadLetter(
  record: QueueRecord,
  deps: RedactorDeps,
  attributes: DeadLetterAttributes & { reason: DeadLetterReason },
): Promise<RecordResult> {
  try {
    await deps.deadLetters.sendDeadLetter(record.body, attributes);
    return 'done';
  } catch (error) {
    deps.log.error(LOG_EVENTS.deadLetterFailed, {
      reason: attributes.reason,
      ...(attributes.messageId === undefined ? {} : { messageId: attributes.messageId }),
      error,
    });
    return 'retry';
  }
}
