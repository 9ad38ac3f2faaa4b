import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/core/runtime/errors';
import { HANDLER_ASSETS_DIR, HANDLER_ENTRIES, handlerAssetDir } from '../../infra/handler-assets';
import { MessageRedactor } from '../../infra/message-redactor';
import { twilioAccount } from '../support/twilio-fixtures';

describe('Prebuilt handlers', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'redactor-assets-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('deploys exactly the files npm run build made, one asset per function, with nothing bundled at synth', () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Assets');
    const redactor = new MessageRedactor(stack, 'MessageRedactor', { accounts: [twilioAccount()] });
    const assembly = app.synth();
    const layerKey = (Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(redactor.accountsLayer.node.defaultChild as CfnElement)].Properties.Content.S3Key as string).replace(/\.zip$/, '');
    // The accounts layer is the one asset made at synth: a JSON file, no code.
    const staged = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.') && name !== `asset.${layerKey}`);
    expect(readdirSync(path.join(assembly.directory, `asset.${layerKey}`, 'message-redactor'))).toEqual(['accounts.json']);
    const contents = staged.map((dir) => readdirSync(path.join(assembly.directory, dir)).map((file) => readFileSync(path.join(assembly.directory, dir, file))));
    // Three assets of one file each, byte for byte the built handlers.
    expect(contents.map((files) => files.length)).toEqual([1, 1, 1]);
    const built = Object.keys(HANDLER_ENTRIES).map((name) => readFileSync(path.join(HANDLER_ASSETS_DIR, name, 'index.mjs')));
    expect(new Set(contents.map(([file]) => file!.toString('base64')))).toEqual(new Set(built.map((file) => file.toString('base64'))));
    for (const fn of [redactor.receiver, redactor.redactor, redactor.sweepFunction!]) {
      expect((fn.node.defaultChild as { handler?: string }).handler).toBe('index.handler');
    }
  });

  it('refuses to synthesise from handlers that were never built, naming the command that builds them', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'redactor-unbuilt-'));
    try {
      expect(() => handlerAssetDir('receiver', empty)).toThrow(ConfigError);
      expect(() => handlerAssetDir('receiver', empty)).toThrow(`the receiver handler is not built (${path.join(empty, 'receiver', 'index.mjs')} is missing): run npm run build`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
