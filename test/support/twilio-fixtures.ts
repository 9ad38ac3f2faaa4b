import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { callbackRouteKey } from '../../functions/core/callbacks/callback-route';
import type { AccountConfigInput } from '../../functions/core/config/config';
import { signTwilioForm } from '../../functions/providers/twilio-signature';
import { buildHttpApiEvent } from '../../local/events/http-api-event';
import { buildSqsEvent } from '../../local/events/sqs-event';

/** A Twilio-looking SID: prefix + 32 hex digits. */
export function sid(prefix: 'AC' | 'SM' | 'MM' | 'ME' | 'SK'): string {
  return prefix + randomBytes(16).toString('hex');
}

export const TWILIO_ACCOUNT_SID = 'AC' + 'a1'.repeat(16);
export const TWILIO_AUTH_TOKEN = 'tok' + 'e'.repeat(29);
export const TWILIO_OLD_AUTH_TOKEN = 'old' + 'f'.repeat(29);
export const TWILIO_ROUTE = 'twilio-r0ute-kq83bd71xz';
export const TWILIO_SECRET_ID = 'message-redactor/twilio-test';
/** PII that must never show up in a log line or queue message. */
export const PII = {
  body: 'Your lab results are ready, Jane Q. Patient',
  from: '+15005550006',
  to: '+14155552671',
} as const;

export function twilioAccount(overrides: Partial<AccountConfigInput> = {}): AccountConfigInput {
  return { route: TWILIO_ROUTE, provider: 'twilio', secretId: TWILIO_SECRET_ID, ...overrides };
}

export function twilioSecret(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { accountSid: TWILIO_ACCOUNT_SID, authToken: TWILIO_AUTH_TOKEN, ...overrides };
}

/** The parameters Twilio posts to a status callback (with the PII Twilio really sends). */
export function twilioStatusParams(overrides: Record<string, string> = {}): Array<[string, string]> {
  const messageSid = overrides.MessageSid ?? sid('SM');
  const params: Record<string, string> = {
    AccountSid: TWILIO_ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    From: PII.from,
    To: PII.to,
    MessageSid: messageSid,
    SmsSid: messageSid,
    MessageStatus: 'delivered',
    SmsStatus: 'delivered',
    RawDlrDoneDate: '2611251530',
    ...overrides,
  };
  return Object.entries(params);
}

export interface CallbackEventOptions {
  readonly route?: string;
  readonly params?: Array<[string, string]>;
  readonly token?: string;
  readonly domain?: string;
  readonly rawQuery?: string;
  readonly signature?: string | null;
  readonly base64?: boolean;
  readonly method?: string;
  readonly headers?: Record<string, string>;
}

/** An API Gateway HTTP API v2 event carrying a Twilio status callback, signed like Twilio signs it. */
export function twilioCallbackEvent(options: CallbackEventOptions = {}): APIGatewayProxyEventV2 {
  const route = options.route ?? TWILIO_ROUTE;
  const params = options.params ?? twilioStatusParams();
  const domain = options.domain ?? 'abc123.execute-api.eu-west-1.amazonaws.com';
  const rawQuery = options.rawQuery ?? '';
  const rawPath = `/callbacks/${route}`;
  const url = `https://${domain}${rawPath}${rawQuery ? `?${rawQuery}` : ''}`;
  const body = new URLSearchParams(params).toString();
  const signature =
    options.signature === undefined ? signTwilioForm(options.token ?? TWILIO_AUTH_TOKEN, url, params) : options.signature;
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    host: domain,
    ...(signature === null ? {} : { 'x-twilio-signature': signature }),
    ...options.headers,
  };
  return apiGatewayEvent({ method: options.method ?? 'POST', domain, rawPath, rawQuery, route, headers, body, base64: options.base64 ?? false });
}

/** When the fixtures' events were received. */
const RECEIVED_AT = 1_795_000_000_000;

/**
 * An API Gateway HTTP API v2 event as the deployed API delivers it: `route` set, its key is the
 * account's own route (`POST /callbacks/<route>`); unset, `$default` as from a Lambda Function URL.
 */
export function apiGatewayEvent(input: {
  method: string;
  domain: string;
  rawPath: string;
  rawQuery: string;
  route?: string;
  headers: Record<string, string>;
  body: string | Buffer;
  /** Whether the body is base64-encoded; unset, decided by its media type as API Gateway does. */
  base64?: boolean;
}): APIGatewayProxyEventV2 {
  return buildHttpApiEvent({
    method: input.method,
    domainName: input.domain,
    rawPath: input.rawPath,
    rawQueryString: input.rawQuery,
    headers: input.headers,
    body: Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body, 'utf8'),
    ...(input.base64 === undefined ? {} : { isBase64Encoded: input.base64 }),
    ...(input.route === undefined ? {} : { routeKey: callbackRouteKey(input.route) }),
    sourceIp: '203.0.113.7',
    requestId: 'req-1',
    time: new Date(RECEIVED_AT),
  });
}

/** An SQS event as the Lambda event source mapping delivers it. */
export function sqsEvent(records: Array<{ body: string; receiveCount?: number; id?: string }>): SQSEvent {
  return buildSqsEvent(
    records.map((record, index) => ({
      messageId: record.id ?? `msg-${index}`,
      receiptHandle: `rh-${record.id ?? index}`,
      body: record.body,
      receiveCount: record.receiveCount ?? 1,
      sentTimestamp: RECEIVED_AT,
      firstReceiveTimestamp: RECEIVED_AT,
    })),
    'arn:aws:sqs:eu-west-1:123456789012:redaction',
  );
}

/** Sandbox credentials with this file's Twilio account (SignalWire, CarrierX and Vonage unused placeholders). */
export function twilioSandboxCredentials(authToken = TWILIO_AUTH_TOKEN) {
  return {
    twilio: { accountSid: TWILIO_ACCOUNT_SID, authToken },
    signalwire: { projectId: '00000000-0000-4000-8000-000000000000', apiToken: 'unused-token' },
    carrierx: { token: 'unused-token' },
    vonage: { apiKey: 'unused00', apiSecret: 'unused-secret' },
  };
}
