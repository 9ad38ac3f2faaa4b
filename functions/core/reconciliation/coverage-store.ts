import type { CoverageCheckpoint } from './coverage-checkpoint';
import type { DeferredMessage } from './deferred-message';

/** One page of deferred messages, with where to go on. */
export interface DeferredPage {
  readonly entries: readonly DeferredMessage[];
  readonly cursor?: string;
}

/**
 * The durable record of what each route's runs covered (a DynamoDB table in AWS, dynalite locally).
 * Every checkpoint write is conditional on the version read, so two runs can never both advance one
 * route, and a run that lost its lease can no longer write.
 */
export interface CoverageStore {
  readCheckpoint(route: string): Promise<CoverageCheckpoint | undefined>;
  /**
   * Writes `next` when the stored checkpoint still has version `next.version - 1` (none stored: 0).
   * @returns false when another writer got there first; nothing was changed.
   */
  writeCheckpoint(next: CoverageCheckpoint): Promise<boolean>;
  /** Extends the lease while `runId` still holds it. @returns false when it does not (superseded). */
  renewLease(route: string, runId: string, leaseUntil: Date): Promise<boolean>;
  /** Stores deferred messages (idempotent: the same message at the same instant is one entry). */
  putDeferred(entries: readonly DeferredMessage[]): Promise<void>;
  /** Deferred messages of one kind with `at` in (from, to], in order, a page at a time. */
  queryDeferred(
    route: string,
    kind: DeferredMessage['kind'],
    range: { readonly from: string; readonly to: string },
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<DeferredPage>;
}
