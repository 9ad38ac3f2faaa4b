import type * as z from 'zod/mini';
import { describeIssues } from '../config/zod-issues';

export type ParsedQueueMessage<T> = { ok: true; job: T } | { ok: false; problem: string };

/**
 * Parses a queue message body against its schema. A bad one is reported with the offending keys,
 * never its content (`what` names it: "job", "sweep page job").
 */
export function parseQueueMessage<T>(schema: z.ZodMiniType<T>, body: string, what: string): ParsedQueueMessage<T> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, problem: `${what} is not valid JSON` };
  }
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { ok: true, job: parsed.data }
    : { ok: false, problem: `${what} is invalid: ${describeIssues(parsed.error.issues, 'job')}` };
}
