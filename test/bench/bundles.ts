import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BuildOptions } from 'esbuild';
import { build } from 'esbuild';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BUNDLING } from '../../infra/message-redactor';

/** Repository root (entry points and node_modules resolve from here, as in the CDK construct). */
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The functions the construct bundles, by the entry it gives NodejsFunction. */
export const ENTRIES = {
  receiver: 'functions/receiver/handler.ts',
  redactor: 'functions/redactor/handler.ts',
} as const;

export type BundleName = keyof typeof ENTRIES | 'hello';

export interface BuiltBundle {
  /** Absolute path of the `.mjs` file. */
  readonly file: string;
  readonly bytes: number;
  /** gzip -6 (zlib default), roughly what a deployment package zip costs. */
  readonly gzipBytes: number;
  /** Output bytes per npm package (or `functions` for our own code), largest first. */
  readonly byPackage: ReadonlyArray<readonly [string, number]>;
}

/**
 * A hello-world handler: the cold-start baseline (Node startup + loading a tiny ESM module with the
 * same banner), so the cold-import ratio isolates what our bundles add.
 */
const HELLO_HANDLER = `export const handler = async () => ({ statusCode: 200, body: 'hello' });\n`;

/**
 * The esbuild options CDK's NodejsFunction derives from the construct's BUNDLING props (see
 * aws-cdk-lib/aws-lambda-nodejs/lib/bundling.js `buildEsbuildArgs`: `--bundle --platform=node
 * --target --format --minify --keep-names --main-fields --banner:js`, outfile `index.mjs` for ESM).
 */
export function cdkEsbuildOptions(): BuildOptions {
  if (BUNDLING.format !== OutputFormat.ESM) throw new Error('bench expects the construct to bundle ESM');
  if ((BUNDLING.externalModules ?? []).length > 0) throw new Error('bench expects nothing external');
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    ...(BUNDLING.target === undefined ? {} : { target: BUNDLING.target }),
    minify: BUNDLING.minify ?? false,
    keepNames: BUNDLING.keepNames ?? false,
    ...(BUNDLING.mainFields === undefined ? {} : { mainFields: BUNDLING.mainFields }),
    ...(BUNDLING.banner === undefined ? {} : { banner: { js: BUNDLING.banner } }),
    sourcemap: BUNDLING.sourceMap ?? false,
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'error',
  };
}

/** Bundles the receiver, the redactor and the hello-world baseline into `outDir/<name>/index.mjs`. */
export async function buildBundles(outDir: string): Promise<Record<BundleName, BuiltBundle>> {
  await mkdir(outDir, { recursive: true });
  const helloEntry = join(outDir, 'hello-entry.mjs');
  await writeFile(helloEntry, HELLO_HANDLER);
  const entries: Record<BundleName, string> = {
    receiver: join(PROJECT_ROOT, ENTRIES.receiver),
    redactor: join(PROJECT_ROOT, ENTRIES.redactor),
    hello: helloEntry,
  };
  const out = {} as Record<BundleName, BuiltBundle>;
  for (const [name, entry] of Object.entries(entries) as Array<[BundleName, string]>) {
    const file = join(outDir, name, 'index.mjs');
    await mkdir(join(outDir, name), { recursive: true });
    const result = await build({ ...cdkEsbuildOptions(), entryPoints: [entry], outfile: file, metafile: true });
    const code = await readFile(file);
    const output = Object.values(result.metafile.outputs)[0]!;
    out[name] = { file, bytes: code.length, gzipBytes: gzipSync(code).length, byPackage: bytesByPackage(output.inputs) };
  }
  return out;
}

/** Minified bytes each package contributes (the metafile's `bytesInOutput`, summed per package). */
function bytesByPackage(inputs: Record<string, { bytesInOutput: number }>): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = match ? match[1]! : path.split('/')[0]!;
    totals.set(key, (totals.get(key) ?? 0) + bytesInOutput);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** Bytes → KiB (1024 bytes), one decimal. */
export function kib(bytes: number): number {
  return Math.round((bytes / 1024) * 10) / 10;
}
