import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { routeFromCallbackPath, routeFromRouteKey, SHARED_CALLBACK_ROUTE_KEY } from '../core/callbacks/callback-route';
import type { CallbackResponse, IncomingCallback } from './receive-callback';

/**
 * API Gateway HTTP API (payload v2) → IncomingCallback. The body is decoded from base64 before
 * anything reads it; the URL is rebuilt from the domain, raw path and raw query exactly as sent,
 * because that is what the provider signed.
 */
export function fromApiGatewayEvent(event: APIGatewayProxyEventV2): IncomingCallback {
  const rawQuery = event.rawQueryString ?? '';
  const body = event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  return {
    // A small deployment's HTTP API has one route per account, and its key names the route even when a
    // custom-domain mapping key prefixes the raw path; the shared route of a large one matched one
    // segment after /callbacks/, the raw path's last; a Lambda Function URL (same payload v2, key
    // `$default`) only has the raw path. The local API gateway builds its events the same way.
    route: routeFromRouteKey(event.routeKey) ?? routeFromCallbackPath(event.rawPath, event.routeKey === SHARED_CALLBACK_ROUTE_KEY),
    method: event.requestContext.http.method,
    receivedUrl: `https://${event.requestContext.domainName}${event.rawPath}${rawQuery === '' ? '' : `?${rawQuery}`}`,
    rawQuery,
    // Payload v2 lower-cases header names and joins repeated headers with commas.
    headers: event.headers ?? {},
    body,
  };
}

export function toApiGatewayResult(response: CallbackResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.statusCode,
    headers: { 'content-type': 'application/json' },
    body: response.body,
  };
}
