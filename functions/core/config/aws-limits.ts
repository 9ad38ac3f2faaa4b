/**
 * The AWS service limits this project is built around, in one place. Kept free of imports so the CDK
 * construct, the Lambda code and the local queue can all share it.
 *
 * Sources: Amazon SQS Developer Guide (quotas for messages and queues, "Visibility timeout",
 * ChangeMessageVisibility API reference); AWS Lambda Developer Guide (quotas; "Using Lambda with
 * Amazon SQS").
 */
export const SQS_LIMITS = {
  /** SendMessage `DelaySeconds` (and a queue's `DelaySeconds`) is at most 15 minutes. */
  maxDelaySeconds: 900,
  /**
   * A message stays invisible at most 12 hours counted from the ReceiveMessage that returned it:
   * ChangeMessageVisibility is refused when the time since that receive plus the new timeout exceeds
   * it ("Total VisibilityTimeout for the message is beyond the limit [43200 seconds]").
   */
  maxTotalVisibilitySeconds: 43_200,
  /** A queue keeps a message at most 14 days (MessageRetentionPeriod). */
  maxRetentionSeconds: 1_209_600,
  /** The default `MaximumMessageSize` of a queue (the construct keeps the default): 256 KiB. */
  maxMessageBytes: 262_144,
  /** Entries in one SendMessageBatch / DeleteMessageBatch / ChangeMessageVisibilityBatch. */
  maxBatchEntries: 10,
} as const;

export const LAMBDA_LIMITS = {
  /** The longest a Lambda function may run (15 minutes). */
  maxTimeoutSeconds: 900,
} as const;

/**
 * AWS: "set the source queue's visibility timeout to at least six times the timeout that you
 * configure on your function", plus the event source's batching window, so a throttled or retried
 * invocation does not see its batch reappear.
 */
export const QUEUE_VISIBILITY_PER_FUNCTION_TIMEOUT = 6;

/** The queue visibility timeout the SQS event source mapping rule asks for, in seconds. */
export function minimumQueueVisibilitySeconds(functionTimeoutSeconds: number, maxBatchingWindowSeconds = 0): number {
  return QUEUE_VISIBILITY_PER_FUNCTION_TIMEOUT * functionTimeoutSeconds + maxBatchingWindowSeconds;
}
