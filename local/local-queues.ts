import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs, type FauxqsServer } from 'fauxqs';

export interface LocalQueues {
  /** The real AWS SDK client, pointed at the local SQS-compatible server. */
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly server: FauxqsServer;
  stop(): Promise<void>;
}

export interface LocalQueueOptions {
  /** Like the deployed queue: how long a received record stays invisible unless the redactor changes it. */
  readonly visibilityTimeoutSeconds: number;
  /** Redrive backstop: receives after which SQS itself moves a record to the DLQ. */
  readonly maxReceiveCount: number;
  readonly port?: number;
}

/**
 * The redaction queue and its DLQ on an in-process SQS-compatible server (fauxqs), with the same
 * redrive policy shape as the CDK construct, driven through the real `@aws-sdk/client-sqs` code path.
 */
export async function startLocalQueues(options: LocalQueueOptions): Promise<LocalQueues> {
  const server = await startFauxqs({ port: options.port ?? 0, logger: false, host: '127.0.0.1', defaultRegion: 'us-east-1' });
  const dlq = server.createQueue('message-redactor-dlq', { attributes: { MessageRetentionPeriod: '1209600' } });
  const queue = server.createQueue('message-redactor-jobs', {
    attributes: {
      VisibilityTimeout: String(options.visibilityTimeoutSeconds),
      MessageRetentionPeriod: '1209600',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(options.maxReceiveCount) }),
    },
  });
  const sqs = new SQSClient({
    endpoint: `http://127.0.0.1:${server.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    sqs,
    queueUrl: queue.queueUrl,
    deadLetterQueueUrl: dlq.queueUrl,
    server,
    async stop() {
      sqs.destroy();
      await server.stop();
    },
  };
}
