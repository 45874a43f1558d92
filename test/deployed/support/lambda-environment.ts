/**
 * A function's environment as Lambda gives it: the template's `Environment.Variables` with their intrinsics resolved
 * against the resources in moto_server, plus what Lambda itself sets. Nothing of the test process is inherited.
 */
import { MOTO_CREDENTIALS } from '../../support/moto';
import type { FunctionSpec } from './cloudformation';
import { resolveIntrinsics } from './intrinsics';
import type { MotoStack } from './moto-stack';

/** What the test chooses: where Spaces and AWS are, and the SDK the runtime provides. */
export interface LambdaEnvironmentOptions {
  readonly stackName: string;
  /** The contract-checking Spaces server on 127.0.0.1. */
  readonly spacesApiUrl: string;
  readonly motoEndpoint: string;
  /** The `node_modules` holding only the AWS SDK (see `aws-sdk-node-path.ts`). */
  readonly sdkNodeModules: string;
}

/** The whole environment of `spec`'s process. */
export function lambdaEnvironment(
  spec: FunctionSpec,
  stack: MotoStack,
  options: LambdaEnvironmentOptions,
): Record<string, string> {
  const fromTemplate = Object.fromEntries(
    Object.entries(spec.environment).map(([name, value]) => [name, resolveIntrinsics(value, stack.resolution)]),
  );
  // CloudFormation names a function `<stack>-<logical id>-<random>`, at most 64 characters.
  const functionName = `${options.stackName}-${spec.logicalId}`.slice(0, 64);
  const overrides: Record<string, string> = {};
  if (fromTemplate.SPACES_API_URL !== undefined) {
    // The one template value replaced: the deployed one is the real Spaces, which the relay may only reach over https.
    if (!fromTemplate.SPACES_API_URL.startsWith('https://')) {
      throw new Error(`${spec.logicalId}: SPACES_API_URL ${fromTemplate.SPACES_API_URL} is not an https URL`);
    }
    overrides.SPACES_API_URL = options.spacesApiUrl;
  }
  return {
    ...fromTemplate,
    ...overrides,
    // Every SDK client (S3, SQS, DynamoDB, Secrets Manager) sends to moto_server instead of AWS; the relay's S3 client
    // also switches to path-style addressing on it, as the design says.
    AWS_ENDPOINT_URL: options.motoEndpoint,
    // Lambda sets the region twice; the SDK reads AWS_REGION, other tools AWS_DEFAULT_REGION.
    AWS_REGION: stack.region,
    AWS_DEFAULT_REGION: stack.region,
    // Lambda puts the execution role's temporary credentials here; moto accepts any.
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: 'testing',
    // The function's identity, as Lambda sets it: Powertools puts the name and memory into logs and metrics.
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySize),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]0123456789abcdef`,
    // The runtime's name (the SDK adds it to its user agent), from the template's runtime: nodejs22.x.
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    // Where the unzipped code is, and which export of which file to call: what the runtime loads.
    LAMBDA_TASK_ROOT: spec.bundleDir,
    _HANDLER: spec.handler,
    // Lambda's clock and locale.
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin/:/bin',
    // The runtime's own modules: here only the AWS SDK, which a bundle built with the SDK external (ingest) loads.
    NODE_PATH: options.sdkNodeModules,
  };
}
