import { createReceiverHandler } from './create-handler';
import { receiverDepsFromEnv } from './receiver-deps';

/**
 * Lambda entry point: API Gateway HTTP API → status callback → redaction job. Dependencies are built
 * once per execution environment (config validated, clients and secret cache kept warm).
 */
export const handler = createReceiverHandler(receiverDepsFromEnv(process.env));
