import { createRequire, syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { median } from './stats';

/** Billable SQS requests by operation name (SendMessage, ReceiveMessage, DeleteMessageBatch, …). */
export interface SqsCallCounter {
  readonly byCommand: () => Readonly<Record<string, number>>;
  readonly total: () => number;
  /** Median duration of each operation's SDK call (all attempts) since the last resetLatencies(). */
  readonly medianLatencyMs: () => Readonly<Record<string, number>>;
  resetLatencies(): void;
}

/**
 * Counts every SQS request the clients send. The middleware sits in the `deserialize` step, inside
 * the SDK's retry loop, so a retried call counts once per attempt, as SQS bills it. Pass every client
 * of the local stack (the receiver has its own; the poller and the redactor share one).
 */
export function countSqsCalls(...clients: readonly SQSClient[]): SqsCallCounter {
  const counts: Record<string, number> = {};
  let latencies: Record<string, number[]> = {};
  const operation = (commandName: string | undefined) => (commandName ?? 'unknown').replace(/Command$/, '');
  for (const client of clients) client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = operation(context.commandName);
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'deserialize', name: 'benchSqsCallCounter' },
  );
  for (const client of clients) client.middlewareStack.add(
    (next, context) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        (latencies[operation(context.commandName)] ??= []).push(performance.now() - started);
      }
    },
    { step: 'initialize', name: 'benchSqsCallTimer' },
  );
  return {
    byCommand: () => ({ ...counts }),
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    medianLatencyMs: () => Object.fromEntries(Object.entries(latencies).map(([name, list]) => [name, median(list)])),
    resetLatencies: () => {
      latencies = {};
    },
  };
}

export interface SecretLoadCounter {
  readonly count: () => number;
  /** Removes the hook. */
  restore(): void;
}

/**
 * Counts the secret loads of the local stack's receiver and redactor. In local mode their
 * `fetchSecret` (the stand-in for Secrets Manager GetSecretValue) is `fileSecretFetch`, which reads
 * the secrets file once per call, and neither function's deps are reachable from outside (the
 * receiver's are closed over by its handler), so the reads of that one file are what is counted:
 * `fs/promises.readFile` is wrapped and the ESM named exports re-synced so that modules importing
 * `readFile` see the wrapper.
 */
export function countSecretLoads(secretsFile: string): SecretLoadCounter {
  const require = createRequire(import.meta.url);
  const fsPromises = require('node:fs/promises') as { readFile: (...args: unknown[]) => Promise<unknown> };
  const original = fsPromises.readFile;
  const target = resolve(secretsFile);
  let count = 0;
  fsPromises.readFile = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && resolve(args[0]) === target) count += 1;
    return original(...args);
  };
  syncBuiltinESMExports();
  return {
    count: () => count,
    restore: () => {
      fsPromises.readFile = original;
      syncBuiltinESMExports();
    },
  };
}
