import type { Duration } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ACCOUNTS_ENV, ACCOUNTS_LAYER_FILE } from '../functions/core/config/lambda-env';
import { LOG_LEVEL_ENV, METRIC_DETAIL_ENV } from '../functions/core/telemetry/logger';
import type { SecretReadGrant } from './account-secrets';
import { HANDLER_EXPORT, handlerAssetDir, type HandlerName } from './handler-assets';
import { assertEnvironmentFits } from './lambda-environment';
import type { ResolvedMessageRedactorProps } from './resolve-props';

/** A function's whole environment: its own variables and what every handler reads (accounts file, log level, metric detail). */
export function handlerEnvironment(settings: ResolvedMessageRedactorProps, own: Record<string, string>): Record<string, string> {
  return {
    ...own,
    [ACCOUNTS_ENV.file]: ACCOUNTS_LAYER_FILE,
    [LOG_LEVEL_ENV]: settings.logLevel,
    // Unset means route: a small deployment's template stays as it was.
    ...(settings.accountResources === 'shared' ? { [METRIC_DETAIL_ENV]: 'provider' } : {}),
  };
}

/**
 * One of the construct's functions (receiver, redactor, sweep): the prebuilt handler, the accounts
 * layer, its own log group and a role that may write there and read the given secrets, nothing else.
 */
export function createHandlerFunction(
    scope: Construct,
    id: string,
    settings: ResolvedMessageRedactorProps,
    accountsLayer: lambda.ILayerVersion,
    options: {
      /** The prebuilt handler this function runs (`npm run build`). */
      readonly handler: HandlerName;
      readonly description: string;
      readonly memorySize: number;
      readonly timeout: Duration;
      readonly secrets: readonly SecretReadGrant[];
      readonly environment: Record<string, string>;
    },
  ): lambda.Function {
    const environment = handlerEnvironment(settings, options.environment);
    assertEnvironmentFits(id, environment);
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: settings.logRetention });
    // An own role with inline grants instead of AWSLambdaBasicExecutionRole: it may write to its log
    // group only (the group exists, so no logs:CreateLogGroup).
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the message-redactor ${id.toLowerCase()}`,
    });
    logGroup.grantWrite(role);
    // GetSecretValue and DescribeSecret on the accounts' secrets only.
    for (const secret of options.secrets) secret.grantRead(role);
    if (settings.secretNamePrefix !== undefined) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${settings.secretNamePrefix}*]`,
        reason: 'secretNamePrefix: the accounts\' secrets are granted by their common name prefix (read actions only), so the policy '
          + 'stays one statement however many accounts the stack serves; by-name grants would outgrow IAM\'s policy size limits.',
      });
    }
    return new lambda.Function(scope, `${id}Function`, {
      // The handler `npm run build` bundled and the tests ran: nothing is bundled at synth.
      code: lambda.Code.fromAsset(handlerAssetDir(options.handler)),
      handler: HANDLER_EXPORT,
      layers: [accountsLayer],
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: options.description,
      memorySize: options.memorySize,
      timeout: options.timeout,
      role,
      logGroup,
      // JSON format lets Lambda filter by level. The logger filters its own lines (LOG_LEVEL); Lambda's
      // application level stays at INFO or below because it files the summed metric lines, which have no
      // level, as INFO. WARN as system level drops the platform START/END/REPORT lines (INFO).
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: settings.logLevel === 'DEBUG' ? lambda.ApplicationLogLevel.DEBUG : lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment,
    });
  }

/**
 * SendMessage only (the SDK needs no GetQueueUrl/GetQueueAttributes with a queue URL), plus what an
 * SSE-KMS producer needs: GenerateDataKey and Decrypt, without grantSendMessages' kms wildcards.
 */
export function grantSendMessage(fn: lambda.IFunction, queue: sqs.IQueue, key: kms.IKey | undefined): void {
  queue.grant(fn, 'sqs:SendMessage');
  key?.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
}
