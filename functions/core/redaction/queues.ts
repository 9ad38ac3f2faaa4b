import type { DeadLetterReason } from './retry-policy';
import type { RedactionJob } from './redaction-job';

/** Puts redaction jobs on the queue (receiver side). */
export interface JobSender {
  /** @throws on failure; the receiver then answers 503 so the provider retries the callback. */
  send(job: RedactionJob, options?: { readonly delaySeconds?: number }): Promise<void>;
}

/** Puts many redaction jobs on the queue (the sweep). */
export interface JobBatchSender {
  /** @throws when any job could not be enqueued after a retry; the caller retries the whole page. */
  sendBatch(jobs: readonly RedactionJob[]): Promise<void>;
}

/** Delays the next delivery of a received record (redactor side). */
export interface VisibilityController {
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
}

/** What a dead-lettered job carries besides its body, as SQS message attributes. */
export interface DeadLetterAttributes {
  readonly reason: DeadLetterReason;
  readonly code?: string;
  readonly provider?: string;
  readonly route?: string;
  readonly messageId?: string;
  readonly attempts: number;
}

/** Parks a job that will not succeed by retrying, with its reason (redactor side). */
export interface DeadLetterSender {
  sendDeadLetter(body: string, attributes: DeadLetterAttributes): Promise<void>;
}
