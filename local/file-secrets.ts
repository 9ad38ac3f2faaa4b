import { readFile } from 'node:fs/promises';

/**
 * Reads secrets from a local JSON file `{ "<secretId>": { …same shape as in Secrets Manager… } }`,
 * behind the same fetch function Secrets Manager sits behind (cached by CachedSecretStore).
 */
export function fileSecretFetch(path: string): (secretId: string) => Promise<string> {
  return async (secretId) => {
    let all: Record<string, unknown>;
    try {
      all = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      // The parser's message would quote the file, secrets included.
      throw new Error(error instanceof SyntaxError ? `secrets file ${path} is not valid JSON` : `secrets file ${path} cannot be read`);
    }
    if (!(secretId in all)) throw new Error(`secret ${secretId} is not in ${path}`);
    return JSON.stringify(all[secretId]);
  };
}
