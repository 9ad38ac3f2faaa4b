import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every TypeScript file below `dir`, relative to the repository root. */
function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(dir, file));
}

/** The top-level folders that `file`'s relative imports (static and dynamic) reach. */
function importedFolders(file: string): string[] {
  const source = readFileSync(path.join(ROOT, file), 'utf8');
  const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier)).split(path.sep)[0]!);
}

/**
 * Imports run one way: the operator commands (cli/) → the local stack (local/) and the deployment
 * (infra/) → the functions. What is deployed never depends on local or operator code.
 */
describe('Layout: import layers', () => {
  it.each([
    { folder: 'functions', forbidden: ['infra', 'local', 'cli', 'bench', 'test'] },
    { folder: 'infra', forbidden: ['local', 'cli', 'bench', 'test'] },
    { folder: 'local', forbidden: ['cli', 'bench', 'test'] },
    { folder: 'cli', forbidden: ['bench', 'test'] },
    // The benchmarks measure the product (and use the command kit for their own usage line).
    { folder: 'bench', forbidden: ['test'] },
  ])('nothing in $folder/ imports $forbidden', ({ folder, forbidden }) => {
    // `npm start` is the embedded default's own command: it stays in local/ and shares the command kit.
    const exempt = new Set(['local/start.ts', 'local/start-command.ts']);
    const violations = sourceFiles(folder)
      .filter((file) => !exempt.has(file))
      .flatMap((file) => importedFolders(file).filter((top) => forbidden.includes(top)).map((top) => `${file} → ${top}/`));
    expect(violations).toEqual([]);
  });

  it('sees the imports it checks (the scan is not vacuous)', () => {
    expect(importedFolders('cli/target.ts')).toEqual(expect.arrayContaining(['functions', 'local', 'infra', 'cli']));
    expect(importedFolders('local/start-command.ts')).toContain('cli');
  });
});
