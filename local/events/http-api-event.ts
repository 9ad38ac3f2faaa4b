import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** Media types API Gateway passes as text; anything else arrives base64-encoded. */
const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml)|$)/i;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** One HTTP request as API Gateway received it. */
export interface HttpApiRequest {
  readonly method: string;
  /** The Host the caller used (`requestContext.domainName`). */
  readonly domainName: string;
  /** The path exactly as sent, still percent-encoded. */
  readonly rawPath: string;
  /** The query string exactly as sent, without `?`. */
  readonly rawQueryString: string;
  /** Header names lower-cased, repeated headers joined with commas, as payload v2 has them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /**
   * The matched route (`POST /callbacks/<route>`), or `$default` as a Lambda Function URL sends it.
   * @default '$default'
   */
  readonly routeKey?: string;
  /**
   * Whether the body is passed base64-encoded.
   * @default - as API Gateway decides: text media types as text, anything else base64
   */
  readonly isBase64Encoded?: boolean;
  /** @default '127.0.0.1' */
  readonly sourceIp?: string;
  /** @default - a random id */
  readonly requestId?: string;
  /** @default - now */
  readonly time?: Date;
}

/**
 * The API Gateway HTTP API (payload format 2.0) event for one request: the single builder of this
 * shape for the local API gateway, the tests and the bench, so they cannot drift apart.
 */
export function buildHttpApiEvent(request: HttpApiRequest): APIGatewayProxyEventV2 {
  const headers = { ...request.headers };
  const routeKey = request.routeKey ?? '$default';
  const time = request.time ?? new Date();
  const isText = TEXT_TYPES.test((headers['content-type'] ?? '').split(';')[0]!.trim());
  const isBase64Encoded = request.body.length > 0 && (request.isBase64Encoded ?? !isText);
  return {
    version: '2.0',
    routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: request.domainName,
      domainPrefix: request.domainName.split('.')[0]!,
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId ?? randomBytes(8).toString('hex'),
      routeKey,
      stage: '$default',
      time: apiGatewayTime(time),
      timeEpoch: time.getTime(),
    },
    ...(request.body.length === 0 ? {} : { body: request.body.toString(isBase64Encoded ? 'base64' : 'utf8') }),
    isBase64Encoded,
  };
}

/** `25/Nov/2026:17:00:00 +0000`, the format of `requestContext.time`. */
function apiGatewayTime(time: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:`
    + `${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())} +0000`;
}
