import { PRICES_USD } from './prices';

/** Status callbacks per message: Twilio (and the others) call back for `sent` and for the final status. */
export const CALLBACKS_PER_MESSAGE = 2;

/**
 * Messages a month over which the fixed monthly costs (metrics, alarms, dashboard, secrets) are spread.
 * A stated assumption, not a measurement: the breakdown also gives the monthly total, so the figure
 * can be redone for another volume.
 */
export const MONTHLY_MESSAGES = 100e6;

export interface CostInputs {
  /** Billable SQS requests per redacted message (measured). */
  readonly sqsCallsPerMessage: number;
  /** Secrets Manager GetSecretValue calls per redacted message (measured). */
  readonly secretsCallsPerMessage: number;
  readonly receiverMemoryMb: number;
  readonly redactorMemoryMb: number;
  /** Median warm receiver duration for the terminal callback (enqueues) and the other one (204). */
  readonly receiverTerminalMs: number;
  readonly receiverIgnoredMs: number;
  /** Redactor billed ms per record: Σ ceil(invocation ms) / Σ records (see billedMsPerRecord). */
  readonly redactorBilledMsPerRecord: number;
  /** Redactor invocations per redacted message (1 / mean records per batch). */
  readonly redactorInvocationsPerMessage: number;
  /** The functions' own log bytes per message, EMF included (measured in the local run). */
  readonly appLogBytesPerMessage: number;
  /** Lambda platform log bytes per invocation (START/END/REPORT): 0 with system log level WARN. */
  readonly platformLogBytesPerInvocation: number;
  /** HTTP API access log bytes per callback (estimated from the deployed format). */
  readonly accessLogBytesPerCallback: number;
  /** Custom metrics the deployment publishes every hour (distinct EMF name + dimensions, measured). */
  readonly metrics: number;
  /** Metrics evaluated by the deployment's alarms (from the synthesised template). */
  readonly alarmMetrics: number;
  readonly dashboards: number;
  /** Secrets the accounts reference. */
  readonly secrets: number;
  /** The scheduled sweep, measured over a simulated day (absent: not counted). */
  readonly sweep?: SweepCostInputs;
}

/** What the coverage sweep costs per message sent: its pages (one invocation and one page-queue message each) and its store. */
export interface SweepCostInputs {
  readonly pagesPerMessage: number;
  readonly msPerPage: number;
  readonly memoryMb: number;
  /** DynamoDB write and read request units per message (checkpoint, leases, deferred entries). */
  readonly writeUnitsPerMessage: number;
  readonly readUnitsPerMessage: number;
  /** The audit's pages per message over the message's life (it is read in every audit of its range), and ms per page. */
  readonly auditPagesPerMessage: number;
  readonly auditMsPerPage: number;
}

export interface CostBreakdown {
  /** USD per million redacted messages, per line item. */
  readonly httpApi: number;
  readonly receiverLambda: number;
  readonly redactorLambda: number;
  readonly sqs: number;
  readonly secretsManager: number;
  /** CloudWatch Logs: the functions' lines (EMF included), Lambda platform lines, HTTP API access lines. */
  readonly logsApp: number;
  readonly logsPlatform: number;
  readonly logsAccess: number;
  /** Fixed monthly costs spread over MONTHLY_MESSAGES. */
  readonly metrics: number;
  readonly alarms: number;
  readonly dashboard: number;
  readonly secretsStorage: number;
  /** The coverage sweep: its Lambda invocations and page-queue requests, and the checkpoint store (DynamoDB). */
  readonly sweep: number;
  readonly coverageStore: number;
  /** The scheduled audit: its page invocations and page-queue requests (its two S3 objects per account and day are fixed costs, left out). */
  readonly audit: number;
  /** The fixed costs per month (USD), before spreading. */
  readonly fixedPerMonth: number;
  /** Everything, behind API Gateway's HTTP API. */
  readonly withHttpApi: number;
  /** Everything but the HTTP API and its access logs: callbacks reach the receiver through a Lambda Function URL. */
  readonly withFunctionUrl: number;
}

/**
 * Modelled all-in AWS cost per million redacted messages.
 *
 * - Every message produces CALLBACKS_PER_MESSAGE callbacks; each is one HTTP API request and one
 *   receiver invocation. Only the terminal one enqueues (so it is the longer one).
 * - Lambda bills each invocation's duration rounded up to the next 1 ms, times its memory in GB, plus
 *   a per-request fee. Receiver: ceil(median terminal ms) + ceil(median non-terminal ms) per message.
 * - The redactor is invoked once per batch; a batch's billed duration is shared by its records, so a
 *   message costs Σ ceil(invocation ms) / Σ records over the measured invocations, plus its share of
 *   the per-invocation fee (invocations / records).
 * - SQS and Secrets Manager: measured requests per message times the request price.
 * - CloudWatch Logs: ingested bytes. The functions' lines are measured; platform lines are 0 as
 *   deployed (system log level WARN); access lines are the deployed format with typical values.
 * - Metrics, alarms, the dashboard and stored secrets are monthly fees, spread over MONTHLY_MESSAGES.
 * Durations are measured on this machine, where a 256 MB Lambda would have a fraction of a vCPU and
 * AWS-internal network round trips take longer than loopback: read the Lambda lines as lower bounds.
 */
export function costPerMillion(inputs: CostInputs): CostBreakdown {
  const gbSeconds = (ms: number, memoryMb: number) => (ms / 1000) * (memoryMb / 1024);
  const receiverGbS = gbSeconds(Math.ceil(inputs.receiverTerminalMs) + Math.ceil(inputs.receiverIgnoredMs), inputs.receiverMemoryMb);
  const redactorGbS = gbSeconds(inputs.redactorBilledMsPerRecord, inputs.redactorMemoryMb);
  const invocationsPerMessage = CALLBACKS_PER_MESSAGE + inputs.redactorInvocationsPerMessage;
  const fixed = {
    metrics: inputs.metrics * PRICES_USD.metricPerMonth,
    alarms: inputs.alarmMetrics * PRICES_USD.alarmMetricPerMonth,
    dashboard: inputs.dashboards * PRICES_USD.dashboardPerMonth,
    secretsStorage: inputs.secrets * PRICES_USD.secretPerMonth,
  };
  const perMessage = {
    httpApi: CALLBACKS_PER_MESSAGE * PRICES_USD.httpApiRequest,
    receiverLambda: CALLBACKS_PER_MESSAGE * PRICES_USD.lambdaRequest + receiverGbS * PRICES_USD.lambdaArmGbSecond,
    redactorLambda: inputs.redactorInvocationsPerMessage * PRICES_USD.lambdaRequest + redactorGbS * PRICES_USD.lambdaArmGbSecond,
    sqs: inputs.sqsCallsPerMessage * PRICES_USD.sqsRequest,
    secretsManager: inputs.secretsCallsPerMessage * PRICES_USD.secretsManagerCall,
    logsApp: inputs.appLogBytesPerMessage * PRICES_USD.logsIngestByte,
    logsPlatform: invocationsPerMessage * inputs.platformLogBytesPerInvocation * PRICES_USD.logsIngestByte,
    logsAccess: CALLBACKS_PER_MESSAGE * inputs.accessLogBytesPerCallback * PRICES_USD.logsIngestByte,
    metrics: fixed.metrics / MONTHLY_MESSAGES,
    alarms: fixed.alarms / MONTHLY_MESSAGES,
    dashboard: fixed.dashboard / MONTHLY_MESSAGES,
    secretsStorage: fixed.secretsStorage / MONTHLY_MESSAGES,
    // Per page: one invocation and its billed duration, and the page job's send, receive and delete.
    sweep: inputs.sweep === undefined
      ? 0
      : inputs.sweep.pagesPerMessage * (PRICES_USD.lambdaRequest + gbSeconds(Math.ceil(inputs.sweep.msPerPage), inputs.sweep.memoryMb) * PRICES_USD.lambdaArmGbSecond + 3 * PRICES_USD.sqsRequest),
    coverageStore: inputs.sweep === undefined
      ? 0
      : inputs.sweep.writeUnitsPerMessage * PRICES_USD.dynamoWriteUnit + inputs.sweep.readUnitsPerMessage * PRICES_USD.dynamoReadUnit,
    audit: inputs.sweep === undefined
      ? 0
      : inputs.sweep.auditPagesPerMessage * (PRICES_USD.lambdaRequest + gbSeconds(Math.ceil(inputs.sweep.auditMsPerPage), inputs.sweep.memoryMb) * PRICES_USD.lambdaArmGbSecond + 3 * PRICES_USD.sqsRequest),
  };
  const m = (usd: number) => usd * 1e6;
  const { httpApi, logsAccess, ...common } = perMessage;
  const withFunctionUrl = Object.values(common).reduce((sum, usd) => sum + usd, 0);
  return {
    httpApi: m(httpApi),
    receiverLambda: m(perMessage.receiverLambda),
    redactorLambda: m(perMessage.redactorLambda),
    sqs: m(perMessage.sqs),
    secretsManager: m(perMessage.secretsManager),
    logsApp: m(perMessage.logsApp),
    logsPlatform: m(perMessage.logsPlatform),
    logsAccess: m(logsAccess),
    metrics: m(perMessage.metrics),
    alarms: m(perMessage.alarms),
    dashboard: m(perMessage.dashboard),
    secretsStorage: m(perMessage.secretsStorage),
    sweep: m(perMessage.sweep),
    coverageStore: m(perMessage.coverageStore),
    audit: m(perMessage.audit),
    fixedPerMonth: Object.values(fixed).reduce((sum, usd) => sum + usd, 0),
    withHttpApi: m(withFunctionUrl + httpApi + logsAccess),
    withFunctionUrl: m(withFunctionUrl),
  };
}
