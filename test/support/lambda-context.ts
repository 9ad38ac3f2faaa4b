import type { InvocationContext } from '../../functions/redactor/create-handler';

/** What the Lambda runtime passes the redactor: the time left counts down from `timeoutMs` (default 30 s). */
export function lambdaContext(timeoutMs = 30_000, now: () => number = Date.now): InvocationContext {
  const ends = now() + timeoutMs;
  return { getRemainingTimeInMillis: () => Math.max(0, ends - now()) };
}
