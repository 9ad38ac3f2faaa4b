import { processRecord, type QueueRecord, type RedactorDeps } from './process-record';

/**
 * Processes a batch with at most `deps.concurrency` records in flight and returns the ids of the
 * records to report as batch item failures. Only retryable records are reported, never the batch.
 * No provider request starts after `deadline`; records still waiting for one are retried soon.
 */
export async function processBatch(records: readonly QueueRecord[], deps: RedactorDeps, deadline: Date): Promise<string[]> {
  const failed: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < records.length) {
      const record = records[next++]!;
      if ((await processRecord(record, deps, deadline)) === 'retry') failed.push(record.id);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency, records.length)) }, worker));
  return failed;
}
