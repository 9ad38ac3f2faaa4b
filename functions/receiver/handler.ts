import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { fromApiGatewayEvent, toApiGatewayResult } from './api-gateway-event';
import { receiveCallback } from './receive-callback';
import { receiverDepsFromEnv } from './receiver-deps';

// Built once per execution environment: config validated, clients and secret cache kept warm.
const deps = receiverDepsFromEnv(process.env);

/** Lambda entry point: API Gateway HTTP API → status callback → redaction job. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return toApiGatewayResult(await receiveCallback(fromApiGatewayEvent(event), deps));
}
