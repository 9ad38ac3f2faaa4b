import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import type { InvocationContext, RedactorHandler } from '../functions/redactor/create-handler';
import { buildSqsEvent, localQueueArn } from './events/sqs-event';

export interface PollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /**
   * One handler per concurrent invocation slot: on Lambda each concurrent invocation has its own
   * execution environment (HTTP pool, secret cache), so slots must not share one.
   * Its length is the event source mapping's MaximumConcurrency.
   */
  readonly handlers: readonly RedactorHandler[];
  /** Records per invocation (event source mapping BatchSize, at most 10 per ReceiveMessage). */
  readonly batchSize: number;
  /**
   * Like the function timeout: each invocation's context reports the time left of it, so the
   * redactor's per-record deadline works as on Lambda.
   */
  readonly invocationTimeoutMs: number;
  /** Long-poll wait; a poll returns as soon as a message is there. */
  readonly waitTimeSeconds?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Behaves like the Lambda SQS event source mapping: long-polls batches (the next one while the
 * current batch runs), invokes the handler with an SQS event, deletes the records it did not report
 * in `batchItemFailures`, and leaves the rest to reappear after their visibility timeout. A handler
 * that throws fails the whole batch, as in Lambda.
 */
export class SqsPoller {
  readonly #options: PollerOptions;
  #running = false;
  #loops: Promise<void>[] = [];
  readonly #deletes = new Set<Promise<void>>();
  #abort = new AbortController();
  /** Bumped by kill(): invocations of an older generation must not delete anything. */
  #generation = 0;

  constructor(options: PollerOptions) {
    if (options.handlers.length === 0) throw new Error('SqsPoller needs at least one handler');
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    const generation = this.#generation;
    // Loops of a killed generation may still be finishing their batch: keep them to await in stop().
    this.#loops = [...this.#loops, ...this.#options.handlers.map((handler) => this.#loop(generation, handler))];
  }

  /** Stops polling and waits for in-flight invocations and deletes to finish. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    await Promise.all(this.#loops);
    await Promise.all(this.#deletes);
  }

  /**
   * Simulates the worker dying mid-batch: polling stops at once and whatever the in-flight
   * invocations return is thrown away, so their records (and any prefetched batch) are never
   * deleted and come back after the visibility timeout, exactly as after a Lambda crash or timeout.
   */
  kill(): void {
    this.#running = false;
    this.#generation += 1;
    this.#abort.abort();
  }

  async #loop(generation: number, handler: RedactorHandler): Promise<void> {
    const alive = () => this.#running && this.#generation === generation;
    let next = this.#receive();
    while (alive()) {
      const { messages, receivedAt } = await next;
      if (!alive()) return;
      // Poll ahead while this batch runs, as the event source mapping does.
      next = this.#receive();
      if (messages.length === 0) continue;
      let failed: Set<string>;
      try {
        const response = await handler(toSqsEvent(messages, this.#options.queueUrl), this.#context(receivedAt));
        failed = new Set((response.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (error) {
        this.#options.onError?.(error);
        continue;
      }
      if (this.#generation !== generation) return; // killed mid-batch: nothing gets deleted
      this.#delete(messages.filter((m) => !failed.has(m.MessageId!)));
    }
    await next.catch(() => undefined);
  }

  /** Unlike Lambda, the poller knows when the batch was received: the redactor gets it exactly. */
  #context(batchReceivedAt: Date): InvocationContext {
    const ends = Date.now() + this.#options.invocationTimeoutMs;
    return { getRemainingTimeInMillis: () => Math.max(0, ends - Date.now()), batchReceivedAt };
  }

  async #receive(): Promise<{ messages: Message[]; receivedAt: Date }> {
    const { sqs, queueUrl, batchSize } = this.#options;
    // Taken before the call: no later than SQS's receive, so the redactor never overestimates the time left.
    const receivedAt = new Date();
    try {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(batchSize, 10),
          WaitTimeSeconds: this.#options.waitTimeSeconds ?? 1,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp', 'ApproximateFirstReceiveTimestamp'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: this.#abort.signal },
      );
      return { messages: out.Messages ?? [], receivedAt };
    } catch (error) {
      if (this.#running) {
        this.#options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return { messages: [], receivedAt };
    }
  }

  /** Deletes done records without holding up the next invocation; a failed delete only means a harmless redelivery. */
  #delete(done: readonly Message[]): void {
    if (done.length === 0) return;
    const deletion = this.#options.sqs
      .send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#options.queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => this.#options.onError?.(error),
      );
    this.#deletes.add(deletion);
    void deletion.finally(() => this.#deletes.delete(deletion));
  }
}

function toSqsEvent(messages: Message[], queueUrl: string): SQSEvent {
  const timestamp = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  return buildSqsEvent(
    messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? '',
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
      sentTimestamp: timestamp(m.Attributes?.SentTimestamp),
      firstReceiveTimestamp: timestamp(m.Attributes?.ApproximateFirstReceiveTimestamp),
      md5OfBody: m.MD5OfBody ?? '',
    })),
    localQueueArn(queueUrl),
  );
}
