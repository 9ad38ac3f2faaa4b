import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of a received signature with an expected one whose length is public (fixed
 * by the algorithm and encoding), so a length mismatch may return early.
 */
export function safeEqual(received: string, expected: string): boolean {
  const left = Buffer.from(received, 'utf8');
  const right = Buffer.from(expected, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Constant-time comparison for values whose length is itself secret (tokens, Basic credentials): both
 * sides are hashed first, so neither timing nor an early length check reveals anything.
 */
export function safeEqualSecret(received: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(received, 'utf8').digest(), createHash('sha256').update(expected, 'utf8').digest());
}
