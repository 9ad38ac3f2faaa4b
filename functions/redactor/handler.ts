import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processBatch } from './process-batch';
import { redactorDepsFromEnv } from './redactor-deps';
import { fromSqsEvent, toBatchResponse } from './sqs-event';

// Built once per execution environment: config validated, HTTP pool and secret cache kept warm.
const deps = redactorDepsFromEnv(process.env);

/** Lambda entry point: SQS batch of redaction jobs → provider redactions, partial failures reported. */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  return toBatchResponse(await processBatch(fromSqsEvent(event), deps));
}
