import { PRICES_USD } from './prices';

/** Status callbacks per message: Twilio (and the others) call back for `sent` and for the final status. */
export const CALLBACKS_PER_MESSAGE = 2;

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
}

export interface CostBreakdown {
  /** USD per million redacted messages, per line item. */
  readonly httpApi: number;
  readonly receiverLambda: number;
  readonly redactorLambda: number;
  readonly sqs: number;
  readonly secretsManager: number;
  /** Everything, behind API Gateway's HTTP API. */
  readonly withHttpApi: number;
  /** Everything but the HTTP API: callbacks reach the receiver through a Lambda Function URL (no charge). */
  readonly withFunctionUrl: number;
}

/**
 * Modelled AWS cost per million redacted messages.
 *
 * - Every message produces CALLBACKS_PER_MESSAGE callbacks; each is one HTTP API request and one
 *   receiver invocation. Only the terminal one enqueues (so it is the longer one).
 * - Lambda bills each invocation's duration rounded up to the next 1 ms, times its memory in GB, plus
 *   a per-request fee. Receiver: ceil(median terminal ms) + ceil(median non-terminal ms) per message.
 * - The redactor is invoked once per batch; a batch's billed duration is shared by its records, so a
 *   message costs Σ ceil(invocation ms) / Σ records over the measured invocations, plus its share of
 *   the per-invocation fee (invocations / records).
 * - SQS and Secrets Manager: measured requests per message times the request price.
 * Durations are measured on this machine, where a 256 MB Lambda would have a fraction of a vCPU and
 * AWS-internal network round trips take longer than loopback: read the Lambda lines as lower bounds.
 */
export function costPerMillion(inputs: CostInputs): CostBreakdown {
  const gbSeconds = (ms: number, memoryMb: number) => (ms / 1000) * (memoryMb / 1024);
  const receiverGbS = gbSeconds(Math.ceil(inputs.receiverTerminalMs) + Math.ceil(inputs.receiverIgnoredMs), inputs.receiverMemoryMb);
  const redactorGbS = gbSeconds(inputs.redactorBilledMsPerRecord, inputs.redactorMemoryMb);
  const perMessage = {
    httpApi: CALLBACKS_PER_MESSAGE * PRICES_USD.httpApiRequest,
    receiverLambda: CALLBACKS_PER_MESSAGE * PRICES_USD.lambdaRequest + receiverGbS * PRICES_USD.lambdaArmGbSecond,
    redactorLambda: inputs.redactorInvocationsPerMessage * PRICES_USD.lambdaRequest + redactorGbS * PRICES_USD.lambdaArmGbSecond,
    sqs: inputs.sqsCallsPerMessage * PRICES_USD.sqsRequest,
    secretsManager: inputs.secretsCallsPerMessage * PRICES_USD.secretsManagerCall,
  };
  const m = (usd: number) => usd * 1e6;
  const withFunctionUrl = perMessage.receiverLambda + perMessage.redactorLambda + perMessage.sqs + perMessage.secretsManager;
  return {
    httpApi: m(perMessage.httpApi),
    receiverLambda: m(perMessage.receiverLambda),
    redactorLambda: m(perMessage.redactorLambda),
    sqs: m(perMessage.sqs),
    secretsManager: m(perMessage.secretsManager),
    withHttpApi: m(withFunctionUrl + perMessage.httpApi),
    withFunctionUrl: m(withFunctionUrl),
  };
}
