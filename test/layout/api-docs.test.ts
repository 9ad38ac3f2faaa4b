import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The API reference in docs/api is generated from the TSDoc (npm run docs:api): it must match the code. */
describe('Docs: the API reference', () => {
  it('is what npm run docs:api makes from the sources today (run it after changing a prop or its doc)', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'redactor-api-'));
    try {
      await promisify(execFile)('npm', ['run', '-s', 'docs:api', '--', '--out', out], { cwd: ROOT });
      const fresh = readFileSync(path.join(out, 'README.md'), 'utf8');
      const checkedIn = readFileSync(path.join(ROOT, 'docs', 'api', 'README.md'), 'utf8');
      expect(checkedIn === fresh, 'docs/api/README.md is stale: run npm run docs:api').toBe(true);
      // Every prop of the construct is there, with its default.
      expect(fresh).toMatch(/### MessageRedactorProps/);
      expect(fresh).toMatch(/##### accounts/);
      expect(fresh.match(/###### Default/g)?.length ?? 0).toBeGreaterThan(20);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
