import { mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { HANDLER_ASSETS_DIR, HANDLER_ENTRIES, PACKAGE_ROOT, type HandlerName } from './handler-assets';

/**
 * The AWS SDK clients import their whole package.json for its `version` (the user agent): about 8 KB
 * of every bundle, 2 KB gzip of the receiver's. Only that field is kept.
 */
const awsSdkPackageVersionOnly: Plugin = {
  name: 'aws-sdk-package-version-only',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/ }, async (args) => {
      const { version } = JSON.parse(await readFile(args.path, 'utf8')) as { version: string };
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
};

/**
 * esbuild, one minified ESM file per handler. The AWS SDK is bundled rather than taken from the
 * runtime, so Lambda runs the client versions package-lock.json pins and the tests exercise.
 */
export const HANDLER_BUILD_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  // esbuild's newest Node target that nodejs24.x runs; the code itself stays runnable on Node 20.
  target: 'node22',
  minify: true,
  // No keepNames (about 6 KB gzip on the receiver): error classes spell out their `name`.
  keepNames: false,
  sourcemap: false,
  // ESM builds of dependencies tree-shake better than their CommonJS ones.
  mainFields: ['module', 'main'],
  // CommonJS dependencies bundled into ESM call `require` for Node built-ins.
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  absWorkingDir: PACKAGE_ROOT,
  logLevel: 'error',
  metafile: true,
  plugins: [awsSdkPackageVersionOnly],
  // Lambda's credentials are in the environment: the SDK's full default chain (profiles, SSO, web
  // identity, EC2 metadata) stays out of the bundles (functions/aws/lambda-credentials.ts).
  alias: { '@aws-sdk/credential-provider-node': './functions/aws/lambda-credentials.ts' },
};

export interface BuiltHandler {
  readonly file: string;
  readonly bytes: number;
  /** gzip -6 (zlib's default), about what the deployment package zip costs. */
  readonly gzipBytes: number;
  readonly metafile: Metafile;
}

/**
 * Bundles every handler into `outDir/<name>/index.mjs`. Each file is written beside the assets and
 * renamed into place, so a synth reading the assets meanwhile (another test, `cdk synth`) sees a whole
 * file, never a half-written one, and the asset directory never holds anything else.
 */
export async function buildHandlers(outDir: string = HANDLER_ASSETS_DIR): Promise<Record<HandlerName, BuiltHandler>> {
  const out = {} as Record<HandlerName, BuiltHandler>;
  const scratch = path.join(outDir, '.building');
  await mkdir(scratch, { recursive: true });
  for (const [name, entry] of Object.entries(HANDLER_ENTRIES) as Array<[HandlerName, string]>) {
    const dir = path.join(outDir, name);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'index.mjs');
    const partial = path.join(scratch, `${name}-${process.pid}-${Date.now()}.mjs`);
    const result = await build({ ...HANDLER_BUILD_OPTIONS, entryPoints: [path.join(PACKAGE_ROOT, entry)], outfile: partial });
    await rename(partial, file);
    const code = await readFile(file);
    out[name] = { file, bytes: code.length, gzipBytes: gzipSync(code).length, metafile: result.metafile! };
  }
  return out;
}

// `npm run build`: the handlers into dist/handlers, with their sizes.
if (import.meta.url === `file://${process.argv[1]}`) {
  const built = await buildHandlers();
  for (const [name, b] of Object.entries(built)) {
    process.stdout.write(`${name.padEnd(8)} ${path.relative(PACKAGE_ROOT, b.file)}  ${(b.bytes / 1024).toFixed(1)} KiB, ${(b.gzipBytes / 1024).toFixed(1)} KiB gzip\n`);
  }
}
