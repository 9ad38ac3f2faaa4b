/**
 * AWS list prices the cost model uses, in USD, in one place. us-east-1 on-demand list prices as
 * given in the bench's brief (check https://aws.amazon.com/lambda/pricing/, /api-gateway/pricing/,
 * /sqs/pricing/, /secrets-manager/pricing/, /cloudwatch/pricing/ before relying on them); free tiers
 * are ignored.
 */
export const PRICES_USD = {
  /** API Gateway HTTP API, per request (first 300 M/month tier: $1.00 per million). */
  httpApiRequest: 1.0 / 1e6,
  /** Lambda on arm64 (Graviton), per GB-second of billed duration (billed in 1 ms steps). */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda, per invocation ($0.20 per million). */
  lambdaRequest: 0.2 / 1e6,
  /** SQS standard queue, per API request (each 64 KiB chunk of payload is one request; $0.40 per million). */
  sqsRequest: 0.4 / 1e6,
  /** Secrets Manager, per API call ($0.05 per 10,000). */
  secretsManagerCall: 0.05 / 1e4,
  /** Secrets Manager, per secret per month. */
  secretPerMonth: 0.4,
  /** CloudWatch Logs ingestion (standard class, first tier; EMF lines included), per byte ($0.50 per GB). */
  logsIngestByte: 0.5 / 1024 ** 3,
  /** CloudWatch custom metric per month (first 10,000 metrics; EMF metrics count the same). */
  metricPerMonth: 0.3,
  /** CloudWatch standard-resolution alarm, per metric it evaluates, per month. */
  alarmMetricPerMonth: 0.1,
  /** DynamoDB on-demand, per write request unit (1 KB) ($0.625 per million) and read request unit (4 KB strongly consistent, $0.125 per million). */
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  /** CloudWatch dashboard per month (beyond the three free ones). */
  dashboardPerMonth: 3.0,
} as const;
