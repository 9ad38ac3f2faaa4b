import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../functions/core/runtime/errors';

/** The Lambda handlers the construct deploys, by the source entry `npm run build` bundles. */
export const HANDLER_ENTRIES = {
  receiver: 'functions/receiver/handler.ts',
  redactor: 'functions/redactor/handler.ts',
  sweep: 'functions/sweep/handler.ts',
} as const;

export type HandlerName = keyof typeof HANDLER_ENTRIES;

/** Repository root, from this file in `infra/`: the handlers' sources and the build's output are there. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Where `npm run build` writes each handler: `dist/handlers/<name>/index.mjs`, exporting `handler`.
 * From the sources (`infra/`) that is `../dist/handlers`; from the package's bundled library
 * (`dist/lib/`), `../handlers`.
 */
export const HANDLER_ASSETS_DIR = [
  fileURLToPath(new URL('../dist/handlers', import.meta.url)),
  fileURLToPath(new URL('../handlers', import.meta.url)),
].find((dir) => existsSync(dir)) ?? path.join(PACKAGE_ROOT, 'dist', 'handlers');

/** The Lambda `handler` setting of every prebuilt asset. */
export const HANDLER_EXPORT = 'index.handler';

/**
 * The directory of a prebuilt handler, for `Code.fromAsset`. The construct never bundles at synth:
 * what it deploys is the file `npm run build` made and the tests ran.
 * @throws ConfigError when the handler has not been built
 */
export function handlerAssetDir(name: HandlerName, assetsDir: string = HANDLER_ASSETS_DIR): string {
  const dir = path.join(assetsDir, name);
  if (!existsSync(path.join(dir, 'index.mjs'))) {
    throw new ConfigError(`the ${name} handler is not built (${path.join(dir, 'index.mjs')} is missing): run npm run build`);
  }
  return dir;
}
