/** Every callback URL is `/callbacks/<route>`: the route selects the account and its signing secret. */
const CALLBACK_PATH = /^\/callbacks\/([^/]+)$/;

/** An HTTP API route key naming one account's route literally (not the old greedy `{route}` template). */
const CALLBACK_ROUTE_KEY = /^POST (\/callbacks\/[^/{}]+)$/;

/**
 * The one route key every account shares in a large deployment (accountResources `shared`): a path
 * parameter matches exactly one segment, so `/callbacks/a/b` still gets the gateway's 404.
 */
export const SHARED_CALLBACK_ROUTE_KEY = 'POST /callbacks/{route}';

/** The last `/callbacks/<route>` of a raw path: behind a custom-domain mapping, a prefix comes first. */
const CALLBACK_PATH_SUFFIX = /\/callbacks\/([^/]+)$/;

/** The callback path of an account's route. */
export function callbackPath(route: string): string {
  return `/callbacks/${route}`;
}

/** The HTTP API route key of an account's callback route: `POST /callbacks/<route>`. */
export function callbackRouteKey(route: string): string {
  return `POST ${callbackPath(route)}`;
}

/**
 * Raw request path (still percent-encoded, as sent) → route. Undefined for any other path and for a
 * segment that is not valid percent-encoding (`%E0%A4%A`): both are answered as an unknown route, so
 * caller-controlled bytes can never throw.
 */
export function routeFromCallbackPath(rawPath: string, allowPrefix = false): string | undefined {
  const match = (allowPrefix ? CALLBACK_PATH_SUFFIX : CALLBACK_PATH).exec(rawPath);
  if (match === null) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
}

/**
 * HTTP API route key → route, when the key names one account's route (`POST /callbacks/<route>`).
 * Undefined for `$default` (a Lambda Function URL) and for a template key such as `{route}`.
 */
export function routeFromRouteKey(routeKey: string | undefined): string | undefined {
  if (routeKey === SHARED_CALLBACK_ROUTE_KEY) return undefined;
  const match = CALLBACK_ROUTE_KEY.exec(routeKey ?? '');
  return match === null ? undefined : routeFromCallbackPath(match[1]!);
}
