import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountConfigInput } from '../functions/core/config';

/** Where `npm start` tells the other commands (dlq, sweep, trigger) how to reach its local stack. */
export const LOCAL_ENDPOINTS_FILE = '.local-state/endpoints.json';

/** What `npm start` writes: endpoints, accounts and the secrets file of the running local stack. */
export interface LocalEndpoints {
  readonly sqsEndpoint: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly sandboxOrigin: string;
  readonly accounts: readonly AccountConfigInput[];
  /** Absolute path of the local secrets file. */
  readonly secretsFile: string;
  /** The sweep's grace for the callback path in local mode. */
  readonly sweepSettleSeconds: number;
}

export async function writeLocalEndpoints(stateDir: string, endpoints: LocalEndpoints): Promise<void> {
  await writeFile(join(stateDir, 'endpoints.json'), JSON.stringify(endpoints, null, 2));
}

/** The running local stack's endpoints; undefined when `file` does not exist (no `npm start` ran there). */
export function readLocalEndpoints(file: string): LocalEndpoints | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
}

/** The one line every command prints when it needs the local stack and there is none. */
export function noLocalStackMessage(file: string, alternative: string): string {
  return `no local stack found (${file} is missing): start one with npm start, or ${alternative}`;
}
