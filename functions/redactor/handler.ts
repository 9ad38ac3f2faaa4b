import { createRedactorHandler } from './create-handler';
import { redactorDepsFromEnv } from './redactor-deps';

/**
 * Lambda entry point: SQS batch of redaction jobs → provider redactions, partial failures reported.
 * Dependencies are built once per execution environment (HTTP pool and secret cache kept warm).
 */
export const handler = createRedactorHandler(redactorDepsFromEnv(process.env));
