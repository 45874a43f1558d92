import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RemovalPolicy, Token, Validations, type Duration, type Size } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function, Runtime, type FunctionProps } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_SETTINGS, nodejsBundling, RELAY_FUNCTIONS, type RelayFunctionName } from '../function-bundles';

/**
 * The repository root when this runs from source; `dist/` when it runs compiled (in the package), where the
 * functions come prebuilt in `functions/<name>/` and the handlers' sources are not shipped.
 */
const PROJECT_ROOT = join(__dirname, '..', '..');

/** Props of {@link RelayFunction}. */
export interface RelayFunctionProps {
  /** Which of the relay's functions (its handler and how it is bundled). */
  readonly name: RelayFunctionName;
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
}

/**
 * One relay function: Node.js 22 on arm64, bundled with esbuild (locally from source, no Docker; or prebuilt, in the
 * package), its own log group with a retention, and its own role that starts with nothing but writing to that log
 * group. Everything else it may do is granted by the stack, statement by statement.
 */
export class RelayFunction extends Construct {
  /** The function. */
  readonly function: Function;
  /** Its execution role, without managed policies. */
  readonly role: Role;
  /** Where it logs. */
  readonly logGroup: LogGroup;
  /** Its whole environment as set so far: what the size check counts. */
  private environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: RelayFunctionProps) {
    super(scope, id);
    const environment = {
      POWERTOOLS_SERVICE_NAME: props.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
      POWERTOOLS_LOG_LEVEL: props.logLevel,
      ...props.environment,
    };
    checkEnvironmentSize(this.node.path, environment);
    this.environment = environment;
    // Kept after the stack is deleted (the CloudWatch Logs default), and expire on their own with the retention.
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    // An own role instead of the default one: the default attaches AWSLambdaBasicExecutionRole, which may create
    // and write any log group in the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.logGroup.grantWrite(this.role);

    const settings: Omit<FunctionProps, 'code' | 'handler'> = {
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ephemeralStorageSize: props.ephemeralStorageSize,
      role: this.role,
      logGroup: this.logGroup,
      environment,
    };
    this.function = relayFunction(this, props.name, settings);
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is chosen, not lagging: the code is built and tested for Node 20 and 22 (local development runs ' +
        'Node 20, middy 6 supports both), and 22.x is an AWS-supported LTS runtime. Moving to 24.x is a deliberate ' +
        'upgrade with its own testing.',
    });
  }

  /** Sets one variable after construction (a bucket added later), checked against Lambda's limit as the rest were. */
  addEnvironment(name: string, value: string): void {
    const environment = { ...this.environment, [name]: value };
    checkEnvironmentSize(this.node.path, environment);
    this.environment = environment;
    this.function.addEnvironment(name, value);
  }
}

/**
 * The function bundled from its source when the source is there (this repository: `cdk synth` and the tests always
 * deploy the code as it is), else from the bundle the package build made with the same settings (an installed
 * package, which ships no sources and needs no esbuild). Either way the asset is the same bytes, and has the same hash.
 */
function relayFunction(scope: Construct, name: RelayFunctionName, settings: Omit<FunctionProps, 'code' | 'handler'>): Function {
  const entry = join(PROJECT_ROOT, RELAY_FUNCTIONS[name].entry);
  if (existsSync(entry)) {
    return new NodejsFunction(scope, 'Function', {
      ...settings,
      entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      bundling: nodejsBundling(name),
    });
  }
  const prebuilt = join(PROJECT_ROOT, 'functions', name);
  if (!existsSync(join(prebuilt, BUNDLE_SETTINGS.outfile))) {
    throw new Error(
      `the ${name} function has neither its source (${entry}) nor its prebuilt bundle (${prebuilt}): build the package with npm run build`,
    );
  }
  // The bundle's file and its export, as NodejsFunction names them.
  const handler = `${basename(BUNDLE_SETTINGS.outfile, '.js')}.handler`;
  return new Function(scope, 'Function', { ...settings, code: Code.fromAsset(prebuilt), handler });
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
