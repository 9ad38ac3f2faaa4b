import { createSweepHandler } from './create-handler';
import { sweepDepsFromEnv } from './sweep-deps';

/**
 * Lambda entry point of the reconciliation sweep: scheduled events start a run per account, and the
 * FIFO page queue carries the run page by page. Dependencies are built once per execution environment.
 */
export const handler = createSweepHandler(sweepDepsFromEnv(process.env));
