import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { fromApiGatewayEvent, toApiGatewayResult } from './api-gateway-event';
import { receiveCallback, type ReceiverDeps } from './receive-callback';

export type ReceiverHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** The receiver's Lambda handler over given dependencies; Lambda and local mode run this same function. */
export function createReceiverHandler(deps: ReceiverDeps): ReceiverHandler {
  return async (event) => toApiGatewayResult(await receiveCallback(fromApiGatewayEvent(event), deps));
}
