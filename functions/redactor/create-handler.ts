import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { withRequestId } from '../core/telemetry/logger';
import { lambdaBatchReceivedBound } from '../core/redaction/visibility-budget';
import { processBatch } from './process-batch';
import type { RedactorDeps } from './process-record';
import { fromSqsEvent, toBatchResponse } from './sqs-event';

/** What the redactor reads from its invocation: Lambda's context, or the local poller's equivalent. */
export interface InvocationContext {
  /** Milliseconds left before the function times out (Lambda context). */
  getRemainingTimeInMillis(): number;
  /**
   * When the ReceiveMessage that returned this batch ran, where the caller knows it (the local
   * poller). Lambda does not say; the handler then derives a safe bound from the invocation start.
   */
  readonly batchReceivedAt?: Date;
  /** Lambda's request id, put on every log line of the invocation. */
  readonly awsRequestId?: string;
}

export type RedactorHandler = (event: SQSEvent, context: InvocationContext) => Promise<SQSBatchResponse>;

/** The redactor's Lambda handler over given dependencies; Lambda and local mode run this same function. */
export function createRedactorHandler(deps: RedactorDeps): RedactorHandler {
  return async (event, context) => {
    const log = withRequestId(deps.log, context.awsRequestId);
    try {
      const start = deps.now();
      const receivedAt = context.batchReceivedAt ?? lambdaBatchReceivedBound(start, deps.maxBatchingWindowSeconds, deps.queueVisibilityTimeoutSeconds);
      // No provider request starts after this: one already running may take the HTTP timeout, and the
      // record must still be settled (visibility change, DLQ) before the function times out.
      const deadline = new Date(start.getTime() + context.getRemainingTimeInMillis() - deps.invocationReserveMs);
      return toBatchResponse(await processBatch(fromSqsEvent(event, receivedAt), { ...deps, log }, deadline));
    } finally {
      // Also when the batch throws: the summed metrics of earlier invocations are due all the same.
      log.flush?.();
    }
  };
}
