import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { buildHandlers, HANDLER_BUILD_OPTIONS } from '../infra/build-handlers';

export type BundleName = 'receiver' | 'redactor' | 'sweep' | 'hello';

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

/** The handlers as `npm run build` makes them (the construct deploys those), and the hello-world baseline, into `outDir/<name>/index.mjs`. */
export async function buildBundles(outDir: string): Promise<Record<BundleName, BuiltBundle>> {
  await mkdir(outDir, { recursive: true });
  const out = {} as Record<BundleName, BuiltBundle>;
  for (const [name, built] of Object.entries(await buildHandlers(outDir))) {
    const output = Object.values(built.metafile.outputs)[0]!;
    out[name as BundleName] = { file: built.file, bytes: built.bytes, gzipBytes: built.gzipBytes, byPackage: bytesByPackage(output.inputs) };
  }
  const helloEntry = join(outDir, 'hello-entry.mjs');
  await writeFile(helloEntry, HELLO_HANDLER);
  const file = join(outDir, 'hello', 'index.mjs');
  await mkdir(join(outDir, 'hello'), { recursive: true });
  const result = await build({ ...HANDLER_BUILD_OPTIONS, entryPoints: [helloEntry], outfile: file });
  const code = await readFile(file);
  out.hello = { file, bytes: code.length, gzipBytes: gzipSync(code).length, byPackage: bytesByPackage(Object.values(result.metafile!.outputs)[0]!.inputs) };
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
