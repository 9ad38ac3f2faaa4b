import type { HttpResponse } from '../core/runtime/http-client';
import type { Outcome } from '../core/redaction/outcome';
import type { ProviderName } from '../core/provider-rules/provider-name';
import { basicAuth, classifyByStatus, isSuccessStatus, parseJsonObject, sendOrClassify, type ProviderErrors } from './http-helpers';
import type { ProviderClient, RedactionProvider } from './provider';
import { VONAGE_API_BASE_URL, parseVonageSecret } from './vonage-secret';

/** The Redact API's `product` for each Vonage API this system redacts at. */
export type VonageProduct = 'sms' | 'messages';

export const VONAGE_REDACT_PATH = '/v1/redact/transaction';

/**
 * The error code of a Vonage RFC 7807 answer: the fragment of its `type` URL
 * (`https://developer.nexmo.com/api-errors/redact#premature-redaction` → `premature-redaction`).
 */
export function vonageErrorCode(response: HttpResponse): string {
  const type = parseJsonObject(response.body)?.type;
  const fragment = typeof type === 'string' ? type.slice(type.lastIndexOf('#') + 1) : '';
  return type !== undefined && /^[a-z0-9-]{1,60}$/.test(fragment) ? fragment : `http-${response.status}`;
}

/** Only Vonage's own `invalid-id` answer means "no such record"; any other 404 is a wrong base URL. */
const VONAGE_ERRORS: ProviderErrors = {
  name: 'Vonage',
  isNotFound: (response) => vonageErrorCode(response) === 'invalid-id',
};

/**
 * Classifies a Redact API answer. 204 → redacted. 403 `premature-redaction` (Vonage waits an hour
 * before a record may be redacted) → not-final; any other 403 (`unprovisioned`: the key may not
 * redact this product) and 401 → auth. 404 `invalid-id` → not-found, other 404 → misconfigured.
 * 429 (`rate-limit`, 170 requests/s) → throttled; 5xx → transient; other 4xx → rejected.
 */
export function classifyVonageRedactAnswer(response: HttpResponse, now: Date): Outcome {
  if (isSuccessStatus(response.status)) return { kind: 'redacted' };
  const code = vonageErrorCode(response);
  if (response.status === 403 && code === 'premature-redaction') return { kind: 'not-final', code };
  return classifyByStatus(response, code, now, VONAGE_ERRORS);
}

/**
 * A Vonage redaction side: `POST /v1/redact/transaction` with `{ id, product, type: "outbound" }`,
 * Basic auth API key : API secret. A job whose id is not in the API's id format is refused before
 * any request.
 */
export function vonageRedaction<Name extends ProviderName>(
  provider: Name,
  product: VonageProduct,
  isMessageId: (id: string) => boolean,
): RedactionProvider<Name> {
  return {
    provider,
    bindClient(secret, secretId): ProviderClient {
      const credentials = parseVonageSecret(secret, secretId);
      return {
        async redact(job, context) {
          if (!isMessageId(job.messageId)) {
            return { kind: 'rejected', code: 'invalid-message-id', reason: `message id is not a Vonage ${product === 'sms' ? 'SMS message id' : 'message UUID'}` };
          }
          const answer = await sendOrClassify(context.http, {
            method: 'POST',
            url: `${context.apiBaseUrl ?? VONAGE_API_BASE_URL}${VONAGE_REDACT_PATH}`,
            headers: {
              authorization: basicAuth(credentials.apiKey, credentials.apiSecret),
              accept: 'application/json',
              'content-type': 'application/json',
            },
            // Status callbacks are for outbound messages: `type` is always outbound here.
            body: JSON.stringify({ id: job.messageId, product, type: 'outbound' }),
          });
          return 'kind' in answer ? answer : classifyVonageRedactAnswer(answer, context.now());
        },
      };
    },
  };
}
