import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { DynamoDbCoverageStore } from '../functions/aws/dynamodb-coverage-store';

/** The coverage store on this machine: dynalite (DynamoDB's API in memory), the table as the construct creates it. */
export interface LocalCoverageStore {
  readonly dynamodb: DynamoDBClient;
  readonly endpoint: string;
  readonly tableName: string;
  readonly store: DynamoDbCoverageStore;
  stop(): Promise<void>;
}

export const LOCAL_COVERAGE_TABLE = 'message-redactor-coverage';

/**
 * Starts dynalite on 127.0.0.1 and creates the coverage table (partition key `route`, sort key `sk`).
 * It answers conditional writes and key-ordered queries as DynamoDB does, through the real
 * `@aws-sdk/client-dynamodb` code path; it keeps everything in memory.
 */
export async function startLocalCoverageStore(options: { readonly port?: number } = {}): Promise<LocalCoverageStore> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dynamodb = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: LOCAL_COVERAGE_TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'route', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'route', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  return {
    dynamodb,
    endpoint,
    tableName: LOCAL_COVERAGE_TABLE,
    store: new DynamoDbCoverageStore(dynamodb, LOCAL_COVERAGE_TABLE),
    async stop() {
      dynamodb.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
