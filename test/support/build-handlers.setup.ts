import { buildHandlers } from '../../infra/build-handlers';

/** Vitest global setup: the prebuilt handlers the construct deploys, fresh from the sources under test. */
export default async function setup(): Promise<void> {
  await buildHandlers();
}
