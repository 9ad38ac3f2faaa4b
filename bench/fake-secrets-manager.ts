import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSecretsManager {
  /** Point the AWS SDK here with `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  readonly endpoint: string;
  /** GetSecretValue calls answered so far. */
  readonly calls: () => number;
  stop(): Promise<void>;
}

/**
 * The one Secrets Manager operation the functions use, on 127.0.0.1: `GetSecretValue` in the AWS
 * JSON 1.1 protocol (`X-Amz-Target: secretsmanager.GetSecretValue`, JSON in and out), answering from
 * `secrets` by SecretId. There is no local Secrets Manager in the stack (it reads a file instead), so
 * this lets a bundled handler run the real SDK code path: client, credentials, signing, HTTP, parsing.
 * Signatures are not checked.
 */
export async function startFakeSecretsManager(secrets: Readonly<Record<string, unknown>>): Promise<FakeSecretsManager> {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        reply(400, { __type: 'UnknownOperationException', message: 'only GetSecretValue is served here' });
        return;
      }
      calls += 1;
      const { SecretId: id } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: string };
      if (id === undefined || !(id in secrets)) {
        reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        return;
      }
      reply(200, {
        ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${id}-AbCdEf`,
        Name: id,
        VersionId: '00000000-0000-4000-8000-000000000000',
        SecretString: JSON.stringify(secrets[id]),
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_700_000_000,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
