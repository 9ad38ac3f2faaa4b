import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { CoverageCheckpoint } from '../core/reconciliation/coverage-checkpoint';
import type { CoverageStore, DeferredPage } from '../core/reconciliation/coverage-store';
import type { DeferredMessage } from '../core/reconciliation/deferred-message';

/** Items per BatchWriteItem call (DynamoDB's limit). */
const BATCH_WRITE_LIMIT = 25;
/** Deferred entries outlive the instant they are for by this long, then DynamoDB's TTL removes them. */
const DEFERRED_TTL_SECONDS = 90 * 86_400;
const CHECKPOINT_KEY = 'checkpoint';
/** Sorts after every character a message id may hold: `kind#at#~` bounds all entries at `at`. */
const AFTER_ANY_ID = '~';

type Item = Record<string, AttributeValue>;

/**
 * The coverage store on one DynamoDB table: partition key `route`, sort key `sk`. The checkpoint is
 * the item `checkpoint`; deferred messages are `due#<at>#<id>` and `check#<at>#<id>`, so a run reads
 * its range with one key-ordered query. ISO instants of one width sort as text.
 */
export class DynamoDbCoverageStore implements CoverageStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async readCheckpoint(route: string): Promise<CoverageCheckpoint | undefined> {
    const answer = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { route: { S: route }, sk: { S: CHECKPOINT_KEY } }, ConsistentRead: true }),
    );
    return answer.Item === undefined ? undefined : checkpointFromItem(answer.Item);
  }

  async writeCheckpoint(next: CoverageCheckpoint): Promise<boolean> {
    const first = next.version === 1;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: checkpointItem(next),
          ConditionExpression: first ? 'attribute_not_exists(route)' : 'version = :read',
          ...(first ? {} : { ExpressionAttributeValues: { ':read': { N: String(next.version - 1) } } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async renewLease(route: string, runId: string, leaseUntil: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { route: { S: route }, sk: { S: CHECKPOINT_KEY } },
          UpdateExpression: 'SET leaseUntil = :until',
          ConditionExpression: 'runId = :run',
          ExpressionAttributeValues: { ':until': { S: leaseUntil.toISOString() }, ':run': { S: runId } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async putDeferred(entries: readonly DeferredMessage[]): Promise<void> {
    // One entry per key: a batch may not name the same item twice.
    const unique = [...new Map(entries.map((entry) => [deferredKey(entry), entry])).values()];
    for (let start = 0; start < unique.length; start += BATCH_WRITE_LIMIT) {
      let requests: WriteRequest[] = unique.slice(start, start + BATCH_WRITE_LIMIT).map((entry) => ({ PutRequest: { Item: deferredItem(entry) } }));
      for (let round = 0; requests.length > 0; round++) {
        const answer = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = answer.UnprocessedItems?.[this.tableName] ?? [];
        if (requests.length > 0 && round >= 4) throw new Error(`DynamoDB left ${requests.length} deferred entries unwritten after 5 tries`);
        if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
      }
    }
  }

  async queryDeferred(
    route: string,
    kind: DeferredMessage['kind'],
    range: { readonly from: string; readonly to: string },
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<DeferredPage> {
    if (range.to <= range.from) return { entries: [] };
    const answer = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'route = :route AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':route': { S: route },
          ':from': { S: `${kind}#${range.from}#${AFTER_ANY_ID}` },
          ':to': { S: `${kind}#${range.to}#${AFTER_ANY_ID}` },
        },
        Limit: page.limit,
        ConsistentRead: true,
        ...(page.cursor === undefined ? {} : { ExclusiveStartKey: { route: { S: route }, sk: { S: page.cursor } } }),
      }),
    );
    const entries = (answer.Items ?? []).map((item) => deferredFromItem(route, item));
    const last = answer.LastEvaluatedKey?.sk?.S;
    return { entries, ...(last === undefined ? {} : { cursor: last }) };
  }
}

function deferredKey(entry: DeferredMessage): string {
  return `${entry.kind}#${entry.at}#${entry.messageId}`;
}

function deferredItem(entry: DeferredMessage): Item {
  return {
    route: { S: entry.route },
    sk: { S: deferredKey(entry) },
    status: { S: entry.status },
    media: { BOOL: entry.media },
    sentAt: { S: entry.sentAt },
    ...(entry.notFinalAt === undefined ? {} : { notFinalAt: { S: entry.notFinalAt } }),
    expiresAt: { N: String(Math.floor(Date.parse(entry.at) / 1000) + DEFERRED_TTL_SECONDS) },
  };
}

function deferredFromItem(route: string, item: Item): DeferredMessage {
  const [kind, at, ...id] = (item.sk?.S ?? '').split('#');
  if ((kind !== 'due' && kind !== 'check') || at === undefined || id.length === 0) {
    throw new Error(`coverage store: unexpected deferred key in route ${route}`);
  }
  return {
    kind,
    route,
    messageId: id.join('#'),
    at,
    status: item.status?.S ?? '',
    media: item.media?.BOOL === true,
    sentAt: item.sentAt?.S ?? at,
    ...(item.notFinalAt?.S === undefined ? {} : { notFinalAt: item.notFinalAt.S }),
  };
}

function checkpointItem(checkpoint: CoverageCheckpoint): Item {
  return {
    route: { S: checkpoint.route },
    sk: { S: CHECKPOINT_KEY },
    listedTo: { S: checkpoint.listedTo },
    dueTo: { S: checkpoint.dueTo },
    checkTo: { S: checkpoint.checkTo },
    completedRuns: { N: String(checkpoint.completedRuns) },
    version: { N: String(checkpoint.version) },
    ...(checkpoint.run === undefined ? {} : { runId: { S: checkpoint.run.runId }, leaseUntil: { S: checkpoint.run.leaseUntil } }),
  };
}

function checkpointFromItem(item: Item): CoverageCheckpoint {
  const text = (name: string): string => {
    const value = item[name]?.S;
    if (value === undefined) throw new Error(`coverage store: checkpoint item lacks ${name}`);
    return value;
  };
  const runId = item.runId?.S;
  const leaseUntil = item.leaseUntil?.S;
  return {
    route: text('route'),
    listedTo: text('listedTo'),
    dueTo: text('dueTo'),
    checkTo: text('checkTo'),
    completedRuns: Number(item.completedRuns?.N ?? 0),
    version: Number(item.version?.N ?? 0),
    ...(runId === undefined || leaseUntil === undefined ? {} : { run: { runId, leaseUntil } }),
  };
}
