import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { callbackPath, callbackRouteKey, SHARED_CALLBACK_ROUTE_KEY } from '../functions/core/callbacks/callback-route';
import type { Account } from '../functions/core/config/config';
import type { ResolvedMessageRedactorProps } from './resolve-props';

/**
 * One route per account, so a made-up path gets API Gateway's 404 without invoking the receiver, and
 * each route with its own throttle (stage route settings), so one account's traffic cannot use up
 * another's.
 */
export function createCallbackHttpApi(
  scope: Construct,
  receiver: lambda.IFunction,
  settings: ResolvedMessageRedactorProps,
  accounts: readonly Account[],
): apigwv2.HttpApi {
  const httpApi = new apigwv2.HttpApi(scope, 'Api', {
    description: 'SMS provider status callbacks for message-redactor',
    // The default stage is created below, with access logs and throttling.
    createDefaultStage: false,
  });
  // One invoke permission for the whole API instead of one per route: every route of this API is a
  // callback route of this receiver, and the function's resource policy stays small (20 KB limit)
  // however many accounts there are.
  const integration = new HttpLambdaIntegration('ReceiverIntegration', receiver, { scopePermissionToRoute: false });
  // Shared: one route whose path parameter matches one segment; the receiver 404s an unknown route.
  const paths = settings.accountResources === 'shared'
    ? [SHARED_CALLBACK_ROUTE_KEY.slice('POST '.length)]
    : accounts.map((account) => callbackPath(account.route));
  const routes = paths.flatMap((path) => httpApi.addRoutes({ path, methods: [apigwv2.HttpMethod.POST], integration }));
  for (const route of routes) {
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'SMS providers cannot authenticate to an API Gateway authorizer; the receiver verifies each '
        + "callback's provider signature (HMAC or shared secret, constant time) on the raw body before parsing it.",
    });
  }
  const accessLogs = new logs.LogGroup(scope, 'ApiAccessLogs', { retention: settings.logRetention });
  const stage = new apigwv2.HttpStage(scope, 'DefaultStage', {
    httpApi,
    stageName: '$default',
    autoDeploy: true,
    // For any route added to the API later; the callback routes get their own settings below.
    throttle: { burstLimit: settings.throttlingBurstLimit, rateLimit: settings.throttlingRateLimit },
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(accessLogs),
      // Neither $context.path nor $context.routeKey: both carry the route, and access logs tend to be
      // shared more widely. The error type still tells a throttled request (429) from an unknown path.
      // Lean on purpose (every callback writes one, billed per byte): the time is the log event's own,
      // every route is POST, the receiver counts its answers by reason, and latencies are API
      // Gateway's own metrics. An error type tells a gateway failure from the function's answer.
      format: AccessLogFormat.custom(JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        status: '$context.status',
        errorType: '$context.error.responseType',
      })),
    },
  });
  // The shared route keeps the stage's throttle (for all accounts together).
  if (settings.accountResources === 'per-account') {
    (stage.node.defaultChild as apigwv2.CfnStage).routeSettings = Object.fromEntries(
      accounts.map((account) => {
        const throttle = settings.routeThrottling.get(account.route)!;
        return [callbackRouteKey(account.route), { ThrottlingBurstLimit: throttle.burstLimit, ThrottlingRateLimit: throttle.rateLimit }];
      }),
    );
  }
  // Route settings name routes by key: CloudFormation refuses them until the routes exist.
  for (const route of routes) stage.node.addDependency(route);
  return httpApi;
}
