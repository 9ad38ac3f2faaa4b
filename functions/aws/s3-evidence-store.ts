import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, SourceData } from '@smithy/types';
import type { EvidenceStore } from '../core/reconciliation/evidence-store';
import type { HttpClient } from '../core/runtime/http-client';

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** SHA-256 for SigV4 on Node's crypto (what @smithy/hash-node does). */
class NodeSha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | Uint8Array): void {
    this.#hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

export interface S3EvidenceStoreOptions {
  readonly bucket: string;
  readonly region: string;
  /** Path-style endpoint (local emulator); default the bucket's virtual-hosted AWS endpoint. */
  readonly endpoint?: string;
  readonly credentials?: AwsCredentialIdentityProvider;
}

/**
 * PutObject only, signed with SigV4 and sent over the function's HTTP client. The full S3 client
 * would add about 53 KB gzip to the sweep's bundle for this one call: the signer and the credential
 * chain are the SDK's own, already in the bundle for SQS and DynamoDB.
 */
export class S3EvidenceStore implements EvidenceStore {
  readonly #signer: SignatureV4;

  constructor(
    private readonly http: HttpClient,
    private readonly options: S3EvidenceStoreOptions,
  ) {
    this.#signer = new SignatureV4({
      service: 's3',
      region: options.region,
      credentials: options.credentials ?? defaultProvider(),
      sha256: NodeSha256,
      // S3 signs the path as sent: no double encoding.
      uriEscapePath: false,
      applyChecksum: true,
    });
  }

  async put(key: string, body: string, contentType: string): Promise<string> {
    const path = `/${key.split('/').map(encodeURIComponent).join('/')}`;
    const base = this.options.endpoint === undefined
      ? new URL(`https://${this.options.bucket}.s3.${this.options.region}.amazonaws.com`)
      : new URL(`${this.options.endpoint.replace(/\/$/, '')}/${this.options.bucket}`);
    const payloadHash = createHash('sha256').update(body).digest('hex');
    const signed = await this.#signer.sign({
      method: 'PUT',
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port === '' ? {} : { port: Number(base.port) }),
      path: `${base.pathname === '/' ? '' : base.pathname}${path}`,
      headers: {
        host: base.host,
        'content-type': contentType,
        'content-length': String(Buffer.byteLength(body)),
        'x-amz-content-sha256': payloadHash,
      },
      body,
    });
    const url = `${base.protocol}//${base.host}${signed.path}`;
    const answer = await this.http.request({ method: 'PUT', url, headers: signed.headers as Record<string, string>, body });
    if (answer.status < 200 || answer.status > 299) {
      // S3's error code only (an XML document of ids): never the body we sent.
      const code = /<Code>([^<]{1,64})<\/Code>/.exec(answer.body)?.[1] ?? `HTTP ${answer.status}`;
      throw new Error(`evidence bucket refused ${key}: ${code}`);
    }
    return `s3://${this.options.bucket}/${key}`;
  }
}
