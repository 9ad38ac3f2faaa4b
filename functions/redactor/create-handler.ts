import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processBatch } from './process-batch';
import type { RedactorDeps } from './process-record';
import { fromSqsEvent, toBatchResponse } from './sqs-event';

export type RedactorHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/** The redactor's Lambda handler over given dependencies; Lambda and local mode run this same function. */
export function createRedactorHandler(deps: RedactorDeps): RedactorHandler {
  return async (event) => toBatchResponse(await processBatch(fromSqsEvent(event), deps));
}
