import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const PROVIDERS_DIR = path.resolve(import.meta.dirname, '../../functions/providers');
/**
 * The provider adapters; every other file in the folder is shared (protocols, helpers) or sits above
 * them: the registry, and the signed-callback builder and signer the sandbox and tests use.
 */
const ADAPTERS = ['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx', 'vonage-sms', 'vonage-messages'];

const ABOVE_ADAPTERS = ['index.ts', 'callback-builder.ts', 'callback-signer.ts'];

function localImports(file: string): string[] {
  const source = readFileSync(path.join(PROVIDERS_DIR, file), 'utf8');
  return [...source.matchAll(/from '\.\/([^']+)'/g)].map((match) => match[1]!);
}

describe('provider boundaries', () => {
  it.each(ADAPTERS)('%s imports no other provider adapter', (adapter) => {
    const imported = localImports(`${adapter}.ts`).filter((name) => ADAPTERS.includes(name) && name !== adapter);
    expect(imported).toEqual([]);
  });

  it('keeps shared modules free of adapters, so either side can import them', () => {
    const shared = readdirSync(PROVIDERS_DIR).filter((file) => file.endsWith('.ts') && !ABOVE_ADAPTERS.includes(file) && !ADAPTERS.includes(file.slice(0, -3)));
    expect(shared).toContain('twilio-signature.ts');
    for (const file of shared) expect(localImports(file).filter((name) => ADAPTERS.includes(name)), file).toEqual([]);
  });

  it('keeps what sits above the adapters out of them and of the shared modules: the functions never load the test helpers', () => {
    const below = readdirSync(PROVIDERS_DIR).filter((file) => file.endsWith('.ts') && !ABOVE_ADAPTERS.includes(file));
    expect(below.length).toBeGreaterThan(10);
    for (const file of below) expect(localImports(file).filter((name) => ABOVE_ADAPTERS.includes(`${name}.ts`)), file).toEqual([]);
  });
});
