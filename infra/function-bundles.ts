/**
 * How the relay's two functions are bundled, in one place. The stack bundles them this way from source (in this
 * repository), and the package build ships them bundled this way (`scripts/build-functions.ts`), so that a consumer of
 * the package deploys the same bytes without esbuild or Docker.
 */
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/** One function's bundle. */
export interface FunctionBundle {
  /** The handler file, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  /**
   * Whether the AWS SDK goes into the bundle (pinned at the version the tests ran with) or comes from the Lambda
   * runtime, which ships every v3 client.
   */
  readonly bundleAwsSdk: boolean;
}

/** The relay's functions by name; the name is also the prebuilt bundle's folder (`dist/functions/<name>`). */
export const RELAY_FUNCTIONS = {
  // Ingest uses two core clients (SQS, Secrets Manager) that every nodejs22.x runtime ships; taking them from the
  // runtime keeps its bundle at ~60 KB instead of ~380 KB. Deliver bundles its SDK: it uses more of it (S3, DynamoDB
  // helpers), and pinning those to the tested versions is worth the size there.
  ingest: { entry: 'lambda/handlers/ingest.ts', bundleAwsSdk: false },
  deliver: { entry: 'lambda/handlers/deliver.ts', bundleAwsSdk: true },
} as const satisfies Record<string, FunctionBundle>;

/** The name of one of the relay's functions. */
export type RelayFunctionName = keyof typeof RELAY_FUNCTIONS;

/** The esbuild settings every function is bundled with. */
export const BUNDLE_SETTINGS = {
  // CommonJS: the bundle then needs no `createRequire` banner for dependencies that still call `require`.
  format: 'cjs',
  // node20 output runs on the nodejs22.x runtime and on the local Node 20 alike.
  target: 'node20',
  minify: true,
  // ESM builds tree-shake far better (middy, valibot, the AWS SDK): about 450 KB instead of 650 KB.
  mainFields: ['module', 'main'],
  sourceMap: false,
  /** The file the bundle is written to, which the function's `handler` names. */
  outfile: 'index.js',
} as const;

/**
 * What a function's bundle leaves out. Given explicitly, not through `bundleAwsSDK`: which SDK packages NodejsFunction
 * leaves out by default depends on the app's feature flags, and the bundle must not.
 */
export const externalModules = (name: RelayFunctionName): string[] =>
  RELAY_FUNCTIONS[name].bundleAwsSdk ? [] : ['@aws-sdk/*'];

/** {@link BUNDLE_SETTINGS} as NodejsFunction takes them. */
export function nodejsBundling(name: RelayFunctionName): BundlingOptions {
  return {
    format: BUNDLE_SETTINGS.format as OutputFormat,
    target: BUNDLE_SETTINGS.target,
    minify: BUNDLE_SETTINGS.minify,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    sourceMap: BUNDLE_SETTINGS.sourceMap,
    externalModules: externalModules(name),
  };
}
