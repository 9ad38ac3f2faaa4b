import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { withRequestId } from '../core/telemetry/logger';
import { fromApiGatewayEvent, toApiGatewayResult } from './api-gateway-event';
import { receiveCallback, type ReceiverDeps } from './receive-callback';

/** What the receiver reads from Lambda's context: the request id it puts on every log line. */
export interface ReceiverContext {
  readonly awsRequestId?: string;
}

export type ReceiverHandler = (event: APIGatewayProxyEventV2, context?: ReceiverContext) => Promise<APIGatewayProxyStructuredResultV2>;

/** The receiver's Lambda handler over given dependencies; Lambda and local mode run this same function. */
export function createReceiverHandler(deps: ReceiverDeps): ReceiverHandler {
  return async (event, context) => {
    const log = withRequestId(deps.log, context?.awsRequestId);
    try {
      return toApiGatewayResult(await receiveCallback(fromApiGatewayEvent(event), { ...deps, log }));
    } finally {
      log.flush?.();
    }
  };
}
