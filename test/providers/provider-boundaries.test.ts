import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const PROVIDERS_DIR = path.resolve(import.meta.dirname, '../../functions/providers');
/** The provider adapters; every other file in the folder is shared (protocols, helpers, the registry). */
const ADAPTERS = ['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx', 'vonage-sms', 'vonage-messages'];

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
    const shared = readdirSync(PROVIDERS_DIR).filter((file) => file.endsWith('.ts') && file !== 'index.ts' && !ADAPTERS.includes(file.slice(0, -3)));
    expect(shared).toContain('twilio-signature.ts');
    for (const file of shared) expect(localImports(file).filter((name) => ADAPTERS.includes(name)), file).toEqual([]);
  });
});
