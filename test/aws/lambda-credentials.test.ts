import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../functions/aws/lambda-credentials';
import { handlerAssetDir } from '../../infra/handler-assets';

const VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'];

describe('Function: defaultProvider (the deployed handlers\' credential chain)', () => {
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
    for (const name of VARIABLES) delete process.env[name];
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('takes the execution role\'s credentials Lambda puts in the environment, even with a profile set', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE00', AWS_SECRET_ACCESS_KEY: 'secret/secret', AWS_SESSION_TOKEN: 'session', AWS_PROFILE: 'someone-elses' });
    expect(await defaultProvider()()).toMatchObject({ accessKeyId: 'ASIAEXAMPLEEXAMPLE00', secretAccessKey: 'secret/secret', sessionToken: 'session' });
  });

  it('fails with one line naming where it looked when neither the environment nor a container endpoint has any', async () => {
    await expect(defaultProvider()()).rejects.toThrow('no AWS credentials in the environment (AWS_ACCESS_KEY_ID) nor a container credentials endpoint');
  });

  it('is what the built handlers carry instead of the SDK\'s default chain (no profile, SSO or web-identity code)', () => {
    for (const name of ['receiver', 'redactor', 'sweep'] as const) {
      const code = readFileSync(`${handlerAssetDir(name)}/index.mjs`, 'utf8');
      expect(code, name).toContain('nor a container credentials endpoint');
      expect(code, name).not.toContain('defaultProvider::fromSSO');
      expect(code, name).not.toContain('AWS_WEB_IDENTITY_TOKEN_FILE');
    }
  });
});
