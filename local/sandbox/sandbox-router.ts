import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import { CARRIERX_API } from './carrierx-api';
import type { ApiRequest, ApiRoute, ProviderApi } from './sandbox-api';
import { SIGNALWIRE_COMPAT_API } from './signalwire-compat-api';
import { SIGNALWIRE_REST_API } from './signalwire-rest-api';
import { TWILIO_API } from './twilio-api';
import { VONAGE_API } from './vonage-api';

/** Where each provider's API lives under the sandbox origin (use as the account's `apiBaseUrl`). */
export const SANDBOX_API_PATHS: Readonly<Record<ProviderName, string>> = {
  twilio: '/twilio',
  'signalwire-compat': '/signalwire',
  'signalwire-rest': '/signalwire',
  carrierx: '/carrierx/core/v2',
  'vonage-sms': '/vonage',
  'vonage-messages': '/vonage',
};

/** Each provider's fake API. */
export const PROVIDER_APIS: Readonly<Record<ProviderName, ProviderApi>> = {
  twilio: TWILIO_API,
  'signalwire-compat': SIGNALWIRE_COMPAT_API,
  'signalwire-rest': SIGNALWIRE_REST_API,
  carrierx: CARRIERX_API,
  'vonage-sms': VONAGE_API,
  'vonage-messages': VONAGE_API,
};

/** The APIs served under each prefix; the first one answers for paths none of them knows. */
const MOUNTS: ReadonlyArray<{ readonly prefix: string; readonly apis: readonly ProviderApi[] }> = [
  { prefix: SANDBOX_API_PATHS.twilio, apis: [TWILIO_API] },
  { prefix: SANDBOX_API_PATHS['signalwire-compat'], apis: [SIGNALWIRE_COMPAT_API, SIGNALWIRE_REST_API] },
  { prefix: SANDBOX_API_PATHS.carrierx, apis: [CARRIERX_API] },
  { prefix: SANDBOX_API_PATHS['vonage-sms'], apis: [VONAGE_API] },
];

/** A request matched to a provider API (and to one of its endpoints when `route` is set). */
export interface RoutedRequest {
  readonly request: ApiRequest;
  readonly api: ProviderApi;
  readonly route?: ApiRoute;
}

/** Finds the provider API and endpoint for a request; undefined when no provider lives at the path. */
export function routeRequest(method: string, url: string, headers: IncomingHttpHeaders, body: string): RoutedRequest | undefined {
  const [fullPath = '/', search = ''] = url.split('?', 2);
  for (const { prefix, apis } of MOUNTS) {
    if (!fullPath.startsWith(`${prefix}/`)) continue;
    const request: ApiRequest = { method, path: fullPath.slice(prefix.length), query: new URLSearchParams(search), headers, body };
    for (const api of apis) {
      const route = api.match(request);
      if (route) return { request, api, route };
    }
    // SignalWire's REST paths start with /api/ but not /api/laml: answer in that API's shape.
    const fallback = apis.find((api) => api === SIGNALWIRE_REST_API && /^\/api\/(?!laml\/)/.test(request.path)) ?? apis[0]!;
    return { request, api: fallback };
  }
  return undefined;
}
