/**
 * Environment variable names of the two functions: set by the CDK construct, read at cold start.
 * Kept free of imports so the construct can use them without loading any handler code at synth.
 */
export const RECEIVER_ENV = {
  accounts: 'REDACTOR_ACCOUNTS',
  queueUrl: 'REDACTION_QUEUE_URL',
  secretMaxAgeSeconds: 'SECRET_MAX_AGE_SECONDS',
  maxBodyBytes: 'MAX_CALLBACK_BYTES',
} as const;

export const REDACTOR_ENV = {
  accounts: 'REDACTOR_ACCOUNTS',
  queueUrl: 'REDACTION_QUEUE_URL',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  secretMaxAgeSeconds: 'SECRET_MAX_AGE_SECONDS',
  providerConcurrency: 'PROVIDER_CONCURRENCY',
  httpTimeoutMs: 'HTTP_TIMEOUT_MS',
  maxReceiveCount: 'MAX_RECEIVE_COUNT',
  maxBatchingWindowSeconds: 'MAX_BATCHING_WINDOW_SECONDS',
} as const;
