import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { QueueRecord } from './process-record';

/** Lambda SQS event → queue records, all received (no later than) `receivedAt`. */
export function fromSqsEvent(event: SQSEvent, receivedAt: Date): QueueRecord[] {
  return event.Records.map((record) => ({
    id: record.messageId,
    receiptHandle: record.receiptHandle,
    body: record.body,
    receiveCount: Number.parseInt(record.attributes.ApproximateReceiveCount, 10) || 1,
    receivedAt,
  }));
}

/** Failed record ids → the partial batch response (needs ReportBatchItemFailures on the mapping). */
export function toBatchResponse(failedIds: readonly string[]): SQSBatchResponse {
  return { batchItemFailures: failedIds.map((itemIdentifier) => ({ itemIdentifier })) };
}
