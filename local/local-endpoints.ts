import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountsEntryInput } from '../functions/core/config/config';
import { isProcessAlive } from './process-alive';

/** Where `npm start` tells the other commands (dlq, sweep, trigger) how to reach its local stack. */
export const LOCAL_ENDPOINTS_FILE = '.local-state/endpoints.json';

/** What `npm start` writes: endpoints, accounts and the secrets file of the running local stack. */
export interface LocalEndpoints {
  readonly sqsEndpoint: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly sandboxOrigin: string;
  readonly accounts: readonly AccountsEntryInput[];
  /** Absolute path of the local secrets file. */
  readonly secretsFile: string;
  /** The sweep's grace for the callback path in local mode. */
  readonly sweepSettleSeconds: number;
  /** The coverage store (dynalite) and its table: each route's sweep checkpoint. */
  readonly coverageEndpoint?: string;
  readonly coverageTable?: string;
  /** The local S3 emulator (path-style) and the bucket audit reports go to. */
  readonly evidenceEndpoint?: string;
  readonly evidenceBucket?: string;
  /** The process that serves the stack: a file whose process is gone was left by a stopped run. */
  readonly pid: number;
}

/** Records the running stack's endpoints, stamped with this process's id. */
export async function writeLocalEndpoints(stateDir: string, endpoints: Omit<LocalEndpoints, 'pid'>): Promise<void> {
  await writeFile(join(stateDir, 'endpoints.json'), JSON.stringify({ ...endpoints, pid: process.pid }, null, 2));
}

/**
 * The running local stack's endpoints; undefined when `file` does not exist (no `npm start` ran there)
 * or was left by a run that has stopped (its process is gone), so a command fails at once with one
 * line instead of waiting on refused connections.
 */
export function readLocalEndpoints(file: string): LocalEndpoints | undefined {
  if (!existsSync(file)) return undefined;
  let endpoints: Partial<LocalEndpoints>;
  try {
    endpoints = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalEndpoints>;
  } catch {
    return undefined;
  }
  return typeof endpoints.pid === 'number' && isProcessAlive(endpoints.pid) ? endpoints as LocalEndpoints : undefined;
}

/** The one line every command prints when it needs the local stack and there is none. */
export function noLocalStackMessage(file: string, alternative: string): string {
  const why = existsSync(file) ? `${file} was left by an npm start that has stopped` : `${file} is missing`;
  return `no local stack found (${why}): start one with npm start, or ${alternative}`;
}
