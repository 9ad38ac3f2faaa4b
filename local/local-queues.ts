import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { SQS_LIMITS } from '../functions/core/config/aws-limits';
import { startSqsLimitsProxy } from './sqs-limits-proxy';

export interface LocalQueues {
  /** The real AWS SDK client, pointed at {@link LocalQueues.endpoint}. */
  readonly sqs: SQSClient;
  /** Where SQS clients connect: the proxy that enforces SQS's limits in front of the local server. */
  readonly endpoint: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** The SQS-compatible server itself, for inspecting queues in tests; clients use `endpoint`. */
  readonly server: FauxqsServer;
  stop(): Promise<void>;
}

export interface LocalQueueOptions {
  /** Like the deployed queue: how long a received record stays invisible unless the redactor changes it. */
  readonly visibilityTimeoutSeconds: number;
  /** Redrive backstop: receives after which SQS itself moves a record to the DLQ. */
  readonly maxReceiveCount: number;
  /** Port of the SQS server (part of the queue URLs). @default 0 (a free port) */
  readonly port?: number;
  /** Port of the endpoint clients use (the limits proxy). @default 0 (a free port) */
  readonly endpointPort?: number;
  /** Clock of the 12-hour visibility rule (epoch ms); tests move it to simulate long waits. */
  readonly now?: () => number;
}

/**
 * The redaction queue and its DLQ on an in-process SQS-compatible server (fauxqs), with the same
 * redrive policy shape as the CDK construct, driven through the real `@aws-sdk/client-sqs` code path.
 * Clients reach it through a proxy that enforces the SQS limits fauxqs does not (sqs-limits-proxy.ts);
 * the queues keep SQS's default maximum message size, as the deployed ones do.
 */
export async function startLocalQueues(options: LocalQueueOptions): Promise<LocalQueues> {
  const server = await startFauxqs({ port: options.port ?? 0, logger: false, host: '127.0.0.1', defaultRegion: 'us-east-1' });
  const common = {
    MessageRetentionPeriod: String(SQS_LIMITS.maxRetentionSeconds),
    MaximumMessageSize: String(SQS_LIMITS.maxMessageBytes),
  };
  const dlq = server.createQueue('message-redactor-dlq', { attributes: common });
  const queue = server.createQueue('message-redactor-jobs', {
    attributes: {
      ...common,
      VisibilityTimeout: String(options.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(options.maxReceiveCount) }),
    },
  });
  const proxy = await startSqsLimitsProxy({
    target: `http://127.0.0.1:${server.port}`,
    ...(options.now ? { now: options.now } : {}),
    ...(options.endpointPort === undefined ? {} : { port: options.endpointPort }),
  });
  const sqs = new SQSClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    sqs,
    endpoint: proxy.endpoint,
    queueUrl: queue.queueUrl,
    deadLetterQueueUrl: dlq.queueUrl,
    server,
    async stop() {
      sqs.destroy();
      await proxy.stop();
      await server.stop();
    },
  };
}
