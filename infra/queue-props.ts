import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SQS_LIMITS } from '../functions/core/config/aws-limits';
import { QUEUE_RETENTION } from './construct-defaults';
import { known, seconds } from './prop-checks';

/** SQS refuses a visibility timeout above 12 hours. */
const MAX_VISIBILITY = Duration.seconds(SQS_LIMITS.maxTotalVisibilitySeconds);

export interface ControlledQueueSettings {
  readonly encryptionKey?: kms.IKey;
  /** The event source mapping refuses a queue whose visibility timeout is below the function timeout. */
  readonly visibilityFloor?: Duration;
}

/** defaults < caller props < encryption, TLS and retention, which the construct controls. */
export function resolveQueueProps(
  name: string,
  defaults: sqs.QueueProps,
  user: sqs.QueueProps | undefined,
  problems: string[],
  controlled: ControlledQueueSettings,
): sqs.QueueProps {
  const props = user ?? {};
  if (props.fifo === true) {
    problems.push(`${name}.fifo: the queues must be standard queues (jobs are independent and carry no MessageGroupId)`);
  }
  if (props.deadLetterQueue !== undefined) {
    problems.push(`${name}.deadLetterQueue: the construct creates and wires the dead-letter queue itself`);
  }
  if (props.encryption !== undefined || props.encryptionMasterKey !== undefined) {
    problems.push(`${name}.encryption: set the construct's encryptionKey prop instead (both queues share one setting)`);
  }
  if (props.enforceSSL === false) {
    problems.push(`${name}.enforceSSL: the queues always deny requests without TLS`);
  }
  if (props.retentionPeriod !== undefined && known(props.retentionPeriod)
    && seconds(props.retentionPeriod) !== seconds(QUEUE_RETENTION)) {
    problems.push(
      `${name}.retentionPeriod: must be ${QUEUE_RETENTION.toHumanString()} (the retry policy keeps jobs up to 13 days)`,
    );
  }
  const visibility = props.visibilityTimeout;
  if (visibility !== undefined && known(visibility)) {
    if (controlled.visibilityFloor !== undefined && seconds(visibility) < seconds(controlled.visibilityFloor)) {
      problems.push(
        `${name}.visibilityTimeout (${visibility.toHumanString()}) must be at least redactorTimeout (${controlled.visibilityFloor.toHumanString()})`,
      );
    }
    if (seconds(visibility) > seconds(MAX_VISIBILITY)) {
      problems.push(`${name}.visibilityTimeout (${visibility.toHumanString()}) must be at most 12 hours`);
    }
  }
  const encryption: sqs.QueueProps = controlled.encryptionKey === undefined
    ? { encryption: sqs.QueueEncryption.SQS_MANAGED }
    : { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: controlled.encryptionKey };
  return { ...defaults, ...props, ...encryption, enforceSSL: true, retentionPeriod: QUEUE_RETENTION };
}

