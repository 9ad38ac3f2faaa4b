/**
 * Environment variable names of the functions: set by the CDK construct, read at cold start.
 * Kept free of imports so the construct can use them without loading any handler code at synth.
 */

/** Where every function finds its accounts: a file (deployed: a layer's JSON) or inline JSON (local). */
export const ACCOUNTS_ENV = {
  file: 'REDACTOR_ACCOUNTS_FILE',
  inline: 'REDACTOR_ACCOUNTS',
} as const;

/** Where the construct's accounts layer puts the file (layers are unpacked under /opt). */
export const ACCOUNTS_LAYER_FILE = '/opt/message-redactor/accounts.json';
export const RECEIVER_ENV = {
  queueUrl: 'REDACTION_QUEUE_URL',
  secretMaxAgeSeconds: 'SECRET_MAX_AGE_SECONDS',
  maxBodyBytes: 'MAX_CALLBACK_BYTES',
  subaccountTokenMaxAgeSeconds: 'SUBACCOUNT_TOKEN_MAX_AGE_SECONDS',
} as const;

export const REDACTOR_ENV = {
  queueUrl: 'REDACTION_QUEUE_URL',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  secretMaxAgeSeconds: 'SECRET_MAX_AGE_SECONDS',
  providerConcurrency: 'PROVIDER_CONCURRENCY',
  httpTimeoutMs: 'HTTP_TIMEOUT_MS',
  maxReceiveCount: 'MAX_RECEIVE_COUNT',
  maxBatchingWindowSeconds: 'MAX_BATCHING_WINDOW_SECONDS',
  /** The redaction queue's visibility timeout: with the window, it bounds when a batch was received. */
  queueVisibilityTimeoutSeconds: 'QUEUE_VISIBILITY_TIMEOUT_SECONDS',
  /** The event source's MaximumConcurrency: each environment takes 1/this of an account's request limit. */
  maxConcurrency: 'REDACTOR_MAX_CONCURRENCY',
} as const;

export const SWEEP_ENV = {
  /** Where the sweep sends redaction jobs: the same queue the receiver feeds. */
  queueUrl: 'REDACTION_QUEUE_URL',
  /** The FIFO queue of sweep page jobs (one message per page still to read). */
  sweepQueueUrl: 'SWEEP_QUEUE_URL',
  secretMaxAgeSeconds: 'SECRET_MAX_AGE_SECONDS',
  httpTimeoutMs: 'HTTP_TIMEOUT_MS',
  pageSize: 'SWEEP_PAGE_SIZE',
  intervalSeconds: 'SWEEP_INTERVAL_SECONDS',
  lateStatusSeconds: 'SWEEP_LATE_STATUS_SECONDS',
  settleSeconds: 'SWEEP_SETTLE_SECONDS',
  /** The coverage store: the DynamoDB table of each route's checkpoint and deferred messages. */
  coverageTable: 'COVERAGE_TABLE_NAME',
  /** Pages one run may read before it stops and alarms (a provider paging without end). */
  maxPagesPerRun: 'SWEEP_MAX_PAGES_PER_RUN',
  /** The audit's evidence bucket, and how far past the retention it reads the list. */
  evidenceBucket: 'EVIDENCE_BUCKET',
  auditLookbackSeconds: 'AUDIT_LOOKBACK_SECONDS',
} as const;
