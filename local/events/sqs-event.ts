import type { SQSEvent, SQSRecord } from 'aws-lambda';

/** One received SQS message, as the event source mapping hands it to the function. */
export interface SqsMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** @default 1 */
  readonly receiveCount?: number;
  /** When the message was sent, in epoch milliseconds. @default - now */
  readonly sentTimestamp?: number;
  /** When it was first received, in epoch milliseconds. @default - now */
  readonly firstReceiveTimestamp?: number;
  /** @default '' */
  readonly md5OfBody?: string;
}

/**
 * The Lambda SQS event for one batch: the single builder of this shape for the local poller, the
 * tests and the bench, so they cannot drift apart.
 * @param queueArn the source queue (its region becomes `awsRegion`)
 */
export function buildSqsEvent(messages: readonly SqsMessage[], queueArn: string): SQSEvent {
  const awsRegion = queueArn.split(':')[3] ?? 'us-east-1';
  return {
    Records: messages.map(
      (message): SQSRecord => ({
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount ?? 1),
          SentTimestamp: String(message.sentTimestamp ?? Date.now()),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? Date.now()),
        },
        messageAttributes: {},
        md5OfBody: message.md5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion,
      }),
    ),
  };
}

/** The ARN a local queue URL stands for (`…/<name>` → `arn:aws:sqs:us-east-1:000000000000:<name>`). */
export function localQueueArn(queueUrl: string): string {
  return `arn:aws:sqs:us-east-1:000000000000:${queueUrl.split('/').pop()}`;
}
