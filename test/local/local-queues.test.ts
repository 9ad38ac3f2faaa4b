import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalQueues, type LocalQueues } from '../../local/local-queues';

/** The SQS semantics the redactor relies on, checked against the local queue it runs on. */
let queues: LocalQueues;

beforeAll(async () => {
  queues = await startLocalQueues({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
});
afterAll(() => queues.stop());

async function receive(queueUrl: string, waitTimeSeconds = 0): Promise<Message[]> {
  const out = await queues.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitTimeSeconds,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      MessageAttributeNames: ['All'],
    }),
  );
  return out.Messages ?? [];
}

async function drain(queueUrl: string): Promise<void> {
  for (let batch = await receive(queueUrl); batch.length > 0; batch = await receive(queueUrl)) {
    for (const m of batch) await queues.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  }
}

describe('Local queue (fauxqs through @aws-sdk/client-sqs)', () => {
  it('holds a message back for DelaySeconds', async () => {
    await drain(queues.queueUrl);
    await queues.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: 'delayed', DelaySeconds: 3 }));
    expect(await receive(queues.queueUrl)).toHaveLength(0);
    const later = await receive(queues.queueUrl, 6);
    expect(later.map((m) => m.Body)).toEqual(['delayed']);
    await queues.sqs.send(new DeleteMessageCommand({ QueueUrl: queues.queueUrl, ReceiptHandle: later[0]!.ReceiptHandle! }));
  });

  it('hides a received message until ChangeMessageVisibility runs out, counting receives', async () => {
    await drain(queues.queueUrl);
    await queues.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: 'retry-me' }));
    const [first] = await receive(queues.queueUrl);
    expect(first!.Attributes?.ApproximateReceiveCount).toBe('1');
    await queues.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queues.queueUrl, ReceiptHandle: first!.ReceiptHandle!, VisibilityTimeout: 5 }));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await receive(queues.queueUrl)).toHaveLength(0); // the 1 s default would have expired by now
    const [second] = await receive(queues.queueUrl, 8);
    expect(second!.Body).toBe('retry-me');
    expect(second!.Attributes?.ApproximateReceiveCount).toBe('2');
    await queues.sqs.send(new DeleteMessageCommand({ QueueUrl: queues.queueUrl, ReceiptHandle: second!.ReceiptHandle! }));
  });

  it('redrives a message to the DLQ after maxReceiveCount receives', async () => {
    await drain(queues.queueUrl);
    await drain(queues.deadLetterQueueUrl);
    await queues.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: 'poison' }));
    expect(await receive(queues.queueUrl, 2)).toHaveLength(1);
    expect(await receive(queues.queueUrl, 3)).toHaveLength(1);
    // Third receive attempt: past maxReceiveCount (2), SQS moves it instead of delivering it.
    expect(await receive(queues.queueUrl, 3)).toHaveLength(0);
    expect((await receive(queues.deadLetterQueueUrl, 1)).map((m) => m.Body)).toEqual(['poison']);
  });

  it('returns a long poll as soon as a message arrives', async () => {
    await drain(queues.queueUrl);
    const started = Date.now();
    const polling = receive(queues.queueUrl, 10);
    setTimeout(() => void queues.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: 'now' })), 100);
    expect((await polling).map((m) => m.Body)).toEqual(['now']);
    // Functional check, not a benchmark: the poll ended on arrival, not at the 10 s wait time.
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('keeps message attributes on a message sent to the DLQ', async () => {
    await drain(queues.deadLetterQueueUrl);
    await queues.sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.deadLetterQueueUrl,
        MessageBody: '{}',
        MessageAttributes: { reason: { DataType: 'String', StringValue: 'rejected' } },
      }),
    );
    const [parked] = await receive(queues.deadLetterQueueUrl);
    expect(parked!.MessageAttributes?.reason?.StringValue).toBe('rejected');
  });
});
