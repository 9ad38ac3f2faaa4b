import type * as z from 'zod/mini';

/**
 * Turns zod issues into one line that names each offending key (`accounts[1].route: …`) and never
 * the value that was received, so it is safe to log for secrets and callbacks alike.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], root = ''): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${formatPath(root, issue.path)}: ${issueMessage(issue)}`)
    .join('; ');
}

function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  // zod/mini ships no locale, so its default text is "Invalid input": say what was expected instead.
  if (issue.message && issue.message !== 'Invalid input') return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `too small (minimum ${String(issue.minimum)})`;
    case 'too_big':
      return `too big (maximum ${String(issue.maximum)})`;
    case 'unrecognized_keys':
      return `unknown key(s) ${issue.keys.join(', ')}`;
    case 'invalid_format':
      return `invalid format${'pattern' in issue && issue.pattern ? ` (expected ${String(issue.pattern)})` : ''}`;
    default:
      return 'invalid';
  }
}
