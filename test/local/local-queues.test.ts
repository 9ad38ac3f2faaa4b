import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
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

describe('Local queue: the SQS limits it enforces like AWS, whatever the client', () => {
  /** The proxy's clock: moved forward to stand for hours spent with a message in flight. */
  let clock = Date.now();
  let limited: LocalQueues;

  beforeAll(async () => {
    limited = await startLocalQueues({ visibilityTimeoutSeconds: 30, maxReceiveCount: 5, now: () => clock });
  });
  afterAll(() => limited.stop());

  async function receiveOne(): Promise<Message> {
    await limited.sqs.send(new SendMessageCommand({ QueueUrl: limited.queueUrl, MessageBody: 'job' }));
    const out = await limited.sqs.send(new ReceiveMessageCommand({ QueueUrl: limited.queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }));
    return out.Messages![0]!;
  }

  const change = (message: Message, seconds: number) =>
    limited.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: limited.queueUrl, ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: seconds }));

  it('refuses a visibility change that ends more than 12 hours after the receive', async () => {
    const message = await receiveOne();
    clock += 120_000; // two minutes of processing since the receive
    await expect(change(message, 43_200)).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(change(message, 43_080)).resolves.toBeDefined();
    // Extending again does not restart the count: it is still 12 hours from the receive.
    clock += 60_000;
    await expect(change(message, 43_080)).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await change(message, 0);
  });

  it('fails only the over-limit entries of a ChangeMessageVisibilityBatch', async () => {
    const first = await receiveOne();
    const second = await receiveOne();
    clock += 3_600_000;
    const out = await limited.sqs.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: limited.queueUrl,
      Entries: [
        { Id: 'ok', ReceiptHandle: first.ReceiptHandle!, VisibilityTimeout: 39_600 },
        { Id: 'late', ReceiptHandle: second.ReceiptHandle!, VisibilityTimeout: 39_601 },
      ],
    }));
    expect(out.Successful).toEqual([{ Id: 'ok' }]);
    expect(out.Failed).toEqual([{
      Id: 'late',
      SenderFault: true,
      Code: 'InvalidParameterValue',
      Message: 'Value 39601 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].',
    }]);
    await limited.sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: limited.queueUrl,
      Entries: [{ Id: 'a', ReceiptHandle: first.ReceiptHandle! }, { Id: 'b', ReceiptHandle: second.ReceiptHandle! }],
    }));
  });

  it('refuses DelaySeconds above 15 minutes, alone and in a batch', async () => {
    await expect(limited.sqs.send(new SendMessageCommand({ QueueUrl: limited.queueUrl, MessageBody: 'late', DelaySeconds: 901 })))
      .rejects.toMatchObject({
        name: 'InvalidParameterValue',
        message: 'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
      });
    await expect(limited.sqs.send(new SendMessageBatchCommand({
      QueueUrl: limited.queueUrl,
      Entries: [{ Id: 'a', MessageBody: 'ok', DelaySeconds: 900 }, { Id: 'b', MessageBody: 'late', DelaySeconds: 43_200 }],
    }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('refuses a message over the default 256 KiB', async () => {
    await expect(limited.sqs.send(new SendMessageCommand({ QueueUrl: limited.queueUrl, MessageBody: 'x'.repeat(262_145) })))
      .rejects.toMatchObject({ message: 'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.' });
  });

  it('refuses a receive VisibilityTimeout above 12 hours and batches of more than 10 entries', async () => {
    await expect(limited.sqs.send(new ReceiveMessageCommand({ QueueUrl: limited.queueUrl, VisibilityTimeout: 43_201 })))
      .rejects.toMatchObject({ message: 'Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.' });
    const entries = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }));
    await expect(limited.sqs.send(new SendMessageBatchCommand({ QueueUrl: limited.queueUrl, Entries: entries })))
      .rejects.toMatchObject({ message: 'Maximum number of entries per request are 10.' });
  });
});
