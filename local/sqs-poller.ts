import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { RedactorHandler } from '../functions/redactor/create-handler';

export interface PollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly handler: RedactorHandler;
  /** Records per invocation (event source mapping BatchSize). */
  readonly batchSize: number;
  /** Invocations at once (event source mapping MaximumConcurrency). */
  readonly maxConcurrency: number;
  /** Long-poll wait; a poll returns as soon as a message is there. */
  readonly waitTimeSeconds?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Behaves like the Lambda SQS event source mapping: long-polls batches, invokes the handler with an
 * SQS event, deletes the records it did not report in `batchItemFailures`, and leaves the rest to
 * reappear after their visibility timeout. A handler that throws fails the whole batch, as in Lambda.
 */
export class SqsPoller {
  readonly #options: PollerOptions;
  #running = false;
  #loops: Promise<void>[] = [];
  #abort = new AbortController();
  /** Bumped by kill(): invocations of an older generation must not delete anything. */
  #generation = 0;
  /** Invocations so far (for the bench's per-message accounting). */
  invocations = 0;

  constructor(options: PollerOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    const generation = this.#generation;
    // Loops of a killed generation may still be finishing their batch: keep them to await in stop().
    this.#loops = [...this.#loops, ...Array.from({ length: this.#options.maxConcurrency }, () => this.#loop(generation))];
  }

  /** Stops polling and waits for in-flight invocations to finish. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    await Promise.all(this.#loops);
  }

  /**
   * Simulates the worker dying mid-batch: polling stops at once and whatever the in-flight
   * invocations return is thrown away, so their records are never deleted and come back after
   * the visibility timeout, exactly as after a Lambda crash or timeout.
   */
  kill(): void {
    this.#running = false;
    this.#generation += 1;
    this.#abort.abort();
  }

  async #loop(generation: number): Promise<void> {
    const { sqs, queueUrl, handler, batchSize } = this.#options;
    const alive = () => this.#running && this.#generation === generation;
    while (alive()) {
      let messages: Message[];
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: this.#options.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp', 'ApproximateFirstReceiveTimestamp'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.#abort.signal },
        );
        messages = out.Messages ?? [];
      } catch (error) {
        if (!alive()) return;
        this.#options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (messages.length === 0) continue;
      this.invocations += 1;
      let failed: Set<string>;
      try {
        const response = await handler(toSqsEvent(messages, queueUrl));
        failed = new Set((response.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (error) {
        this.#options.onError?.(error);
        continue;
      }
      if (this.#generation !== generation) return; // killed mid-batch: nothing gets deleted
      const done = messages.filter((m) => !failed.has(m.MessageId!));
      if (done.length === 0) continue;
      try {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      } catch (error) {
        // Undeleted records come back and are redacted again: harmless, redaction is idempotent.
        this.#options.onError?.(error);
      }
    }
  }
}

function toSqsEvent(messages: Message[], queueUrl: string): SQSEvent {
  return {
    Records: messages.map(
      (m): SQSRecord => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueUrl.split('/').pop()}`,
        awsRegion: 'us-east-1',
      }),
    ),
  };
}
