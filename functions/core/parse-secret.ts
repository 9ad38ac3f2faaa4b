import type * as z from 'zod/mini';
import { SecretShapeError } from './errors';
import { describeIssues } from './zod-issues';

/** Validates a secret's JSON against its provider's schema; errors name fields, never values. */
export function parseSecret<T extends z.ZodMiniType>(schema: T, value: unknown, secretId: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new SecretShapeError(secretId, describeIssues(parsed.error.issues));
  return parsed.data;
}
