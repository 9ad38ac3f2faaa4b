import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2, SQSEvent, SQSRecord } from 'aws-lambda';
import type { AccountConfigInput } from '../../functions/core/config';
import { signTwilioForm } from '../../functions/providers/twilio-signature';

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

export function apiGatewayEvent(input: {
  method: string;
  domain: string;
  rawPath: string;
  rawQuery: string;
  route: string;
  headers: Record<string, string>;
  body: string;
  base64: boolean;
}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /callbacks/{route}',
    rawPath: input.rawPath,
    rawQueryString: input.rawQuery,
    headers: input.headers,
    pathParameters: { route: input.route },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: input.domain,
      domainPrefix: input.domain.split('.')[0]!,
      http: { method: input.method, path: input.rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'TwilioProxy/1.1' },
      requestId: 'req-1',
      routeKey: 'POST /callbacks/{route}',
      stage: '$default',
      time: '25/Nov/2026:17:00:00 +0000',
      timeEpoch: 1_795_000_000_000,
    },
    body: input.base64 ? Buffer.from(input.body, 'utf8').toString('base64') : input.body,
    isBase64Encoded: input.base64,
  };
}

/** An SQS event as the Lambda event source mapping delivers it. */
export function sqsEvent(records: Array<{ body: string; receiveCount?: number; id?: string }>): SQSEvent {
  return {
    Records: records.map(
      (record, index): SQSRecord => ({
        messageId: record.id ?? `msg-${index}`,
        receiptHandle: `rh-${record.id ?? index}`,
        body: record.body,
        attributes: {
          ApproximateReceiveCount: String(record.receiveCount ?? 1),
          SentTimestamp: '1795000000000',
          SenderId: 'AROAEXAMPLE',
          ApproximateFirstReceiveTimestamp: '1795000000000',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:redaction',
        awsRegion: 'eu-west-1',
      }),
    ),
  };
}

/** Sandbox credentials with this file's Twilio account (SignalWire and CarrierX unused placeholders). */
export function twilioSandboxCredentials(authToken = TWILIO_AUTH_TOKEN) {
  return {
    twilio: { accountSid: TWILIO_ACCOUNT_SID, authToken },
    signalwire: { projectId: '00000000-0000-4000-8000-000000000000', apiToken: 'unused-token' },
    carrierx: { token: 'unused-token' },
  };
}
