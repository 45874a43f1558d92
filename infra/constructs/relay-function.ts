import { join } from 'node:path';
import { RemovalPolicy, Token, Validations, type Duration, type Size } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: handler entry points and the lock file are found from here. */
const PROJECT_ROOT = join(__dirname, '..', '..');

/** Props of {@link RelayFunction}. */
export interface RelayFunctionProps {
  /** The handler file, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  /** What the function does, shown in the Lambda console. */
  readonly description: string;
  /** Memory in MB. */
  readonly memorySize: number;
  /** Longest run of one invocation. */
  readonly timeout: Duration;
  /** Size of `/tmp`. @default 512 MiB, the Lambda default */
  readonly ephemeralStorageSize?: Size;
  /** Environment variables, on top of the Powertools ones. */
  readonly environment: Readonly<Record<string, string>>;
  /** Powertools service name (log field `service`, metric dimension `service`). */
  readonly serviceName: string;
  /** Powertools metrics namespace. */
  readonly metricsNamespace: string;
  /** Powertools log level. */
  readonly logLevel: string;
  /** How long the function's logs are kept. */
  readonly logRetention: RetentionDays;
  /**
   * Whether the AWS SDK goes into the bundle (pinned at the version the tests ran with) or comes from the Lambda
   * runtime, which ships every v3 client. @default true
   */
  readonly bundleAwsSdk?: boolean;
}

/**
 * One relay function: Node.js 22 on arm64, bundled locally with esbuild (no Docker), its own log group with a
 * retention, and its own role that starts with nothing but writing to that log group. Everything else it may do is
 * granted by the stack, statement by statement.
 */
export class RelayFunction extends Construct {
  /** The function. */
  readonly function: NodejsFunction;
  /** Its execution role, without managed policies. */
  readonly role: Role;
  /** Where it logs. */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: RelayFunctionProps) {
    super(scope, id);
    const environment = {
      POWERTOOLS_SERVICE_NAME: props.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
      POWERTOOLS_LOG_LEVEL: props.logLevel,
      ...props.environment,
    };
    checkEnvironmentSize(this.node.path, environment);
    // Kept after the stack is deleted (the CloudWatch Logs default), and expire on their own with the retention.
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    // An own role instead of the default one: the default attaches AWSLambdaBasicExecutionRole, which may create
    // and write any log group in the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ephemeralStorageSize: props.ephemeralStorageSize,
      role: this.role,
      logGroup: this.logGroup,
      environment,
      bundling: {
        // CommonJS: the bundle then needs no `createRequire` banner for dependencies that still call `require`.
        format: OutputFormat.CJS,
        // node20 output runs on the nodejs22.x runtime and on the local Node 20 alike.
        target: 'node20',
        minify: true,
        // ESM builds tree-shake far better (middy, valibot, the AWS SDK): about 450 KB instead of 650 KB.
        mainFields: ['module', 'main'],
        sourceMap: false,
        bundleAwsSDK: props.bundleAwsSdk ?? true,
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is chosen, not lagging: the code is built and tested for Node 20 and 22 (local development runs ' +
        'Node 20, middy 6 supports both), and 22.x is an AWS-supported LTS runtime. Moving to 24.x is a deliberate ' +
        'upgrade with its own testing.',
    });
  }
}

/** Lambda refuses a function whose environment (names and values) exceeds 4 KB. */
const LAMBDA_ENVIRONMENT_BYTES = 4096;
/** A value only known at deploy time (a queue URL, an ARN) is counted as this long, which none of ours exceeds. */
const DEPLOY_TIME_VALUE_BYTES = 256;

/** Fails synth, rather than the deployment half-way, when the team config makes the environment too large. */
function checkEnvironmentSize(path: string, environment: Readonly<Record<string, string>>): void {
  const sizes = Object.entries(environment).map(([name, value]) => ({
    name,
    bytes: Buffer.byteLength(name) + (Token.isUnresolved(value) ? DEPLOY_TIME_VALUE_BYTES : Buffer.byteLength(value)),
  }));
  const bytes = sizes.reduce((sum, variable) => sum + variable.bytes, 0);
  if (bytes > LAMBDA_ENVIRONMENT_BYTES) {
    // The largest variables are what the team config can shrink: say which, so the fix is obvious.
    const largest = sizes.sort((a, b) => b.bytes - a.bytes).slice(0, 3);
    throw new Error(
      `${path}: the environment would take about ${bytes} bytes, and Lambda allows ${LAMBDA_ENVIRONMENT_BYTES}; ` +
        `the largest variables: ${largest.map((variable) => `${variable.name} (${variable.bytes} bytes)`).join(', ')}; ` +
        'configure fewer channels, buckets, URL hosts, source settings or shorter templates',
    );
  }
}
