import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { callbackRouteKey } from '../functions/core/callbacks/callback-route';
import type { IncomingCallback } from '../functions/receiver/receive-callback';
import { buildCallback, type CallbackSigningSecrets, type SignedCallback } from '../functions/providers/callback-builder';
import { newMessageId, type SandboxMessage } from '../local/sandbox/sandbox-message';
import { buildHttpApiEvent } from '../local/events/http-api-event';

/** Twilio credentials in the shape the sandbox signs with and the receiver's secret holds. */
export interface TwilioCredentials {
  readonly accountSid: string;
  readonly authToken: string;
}

/**
 * Signed Twilio status callbacks as Twilio sends them for one message each: the parameters of the
 * sandbox's callback builder (AccountSid, ApiVersion, From, To, MessageSid, SmsSid, MessageStatus,
 * SmsStatus, plus ErrorCode or RawDlrDoneDate), signed with the same helper the sandbox uses.
 * Statuses alternate between `sent` (authentic, not terminal: 204) and terminal ones (job: 200),
 * like the two callbacks every outbound message produces.
 */
export function signedTwilioCallbacks(count: number, url: string, credentials: TwilioCredentials): SignedCallback[] {
  const terminal = ['delivered', 'undelivered', 'failed'] as const;
  const secrets = { twilio: credentials } as unknown as CallbackSigningSecrets;
  return Array.from({ length: count }, (_, i) => {
    const message: SandboxMessage = {
      provider: 'twilio',
      id: newMessageId('twilio', false),
      body: 'bench message',
      status: 'sent',
      direction: 'outbound',
      media: [],
      userData: '',
      redactAttempts: 0,
    };
    return buildCallback(message, i % 2 === 0 ? 'sent' : terminal[(i >> 1) % terminal.length]!, url, secrets);
  });
}

/** The callback as the receiver core sees it (what `fromApiGatewayEvent` produces). */
export function toIncomingCallback(callback: SignedCallback, route: string): IncomingCallback {
  const query = callback.url.indexOf('?');
  return {
    route,
    method: 'POST',
    receivedUrl: callback.url,
    rawQuery: query === -1 ? '' : callback.url.slice(query + 1),
    headers: lowerCaseKeys(callback.headers),
    body: Buffer.from(callback.body, 'utf8'),
  };
}

/** The callback as the deployed HTTP API delivers it to the receiver (account route `route`). */
export function toApiGatewayEvent(callback: SignedCallback, route: string): APIGatewayProxyEventV2 {
  const url = new URL(callback.url);
  return buildHttpApiEvent({
    method: 'POST',
    domainName: url.host,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers: { ...lowerCaseKeys(callback.headers), host: url.host, 'user-agent': 'TwilioProxy/1.1' },
    body: Buffer.from(callback.body, 'utf8'),
    routeKey: callbackRouteKey(route),
    sourceIp: '54.172.60.1',
  });
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
