/** Reading a synthesized CloudFormation template: resources by type or by construct path, and the functions in it. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** One resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

/** The part of a template these tests read. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
}

/** A resource with its logical id. */
export interface NamedResource {
  readonly logicalId: string;
  readonly resource: CfnResource;
}

/** Every resource of `type`, in template order. */
export function resourcesOfType(template: CfnTemplate, type: string): NamedResource[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => ({ logicalId, resource }));
}

/** The resource CDK synthesized for the construct at `path` (its `aws:cdk:path` metadata). */
export function resourceAt(template: CfnTemplate, path: string): NamedResource {
  const found = Object.entries(template.Resources).find(([, resource]) => resource.Metadata?.['aws:cdk:path'] === path);
  if (!found) throw new Error(`the template has no resource at ${path}`);
  return { logicalId: found[0], resource: found[1] };
}

/** A property the test cannot do without; its absence means the stack changed shape, which the test should say. */
export function requiredProperty<T>(named: NamedResource, name: string): T {
  const value = named.resource.Properties?.[name];
  if (value === undefined) throw new Error(`${named.logicalId} (${named.resource.Type}) has no ${name}`);
  return value as T;
}

/** What Lambda is told about a function: its code, its handler, its limits and its environment (still with intrinsics). */
export interface FunctionSpec {
  readonly logicalId: string;
  /** The bundle directory in the cloud assembly: the code that is zipped and uploaded. */
  readonly bundleDir: string;
  /** `index.handler`: module and export. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** `Environment.Variables`, values as the template has them (strings, or `Ref`/`Fn::GetAtt`/`Fn::Join`). */
  readonly environment: Readonly<Record<string, unknown>>;
}

/**
 * The Lambda function at `path`, with its bundle found in the cloud assembly `outdir` through the asset metadata,
 * checked against the uploaded object's name (`Code.S3Key` is the asset hash).
 */
export function functionAt(template: CfnTemplate, outdir: string, path: string): FunctionSpec {
  const named = resourceAt(template, path);
  const assetPath = named.resource.Metadata?.['aws:asset:path'];
  const code = requiredProperty<{ S3Key?: string }>(named, 'Code');
  if (typeof assetPath !== 'string' || code.S3Key !== `${assetPath.replace(/^asset\./, '')}.zip`) {
    throw new Error(`${named.logicalId}: its asset path ${String(assetPath)} is not the uploaded ${String(code.S3Key)}`);
  }
  const bundleDir = join(outdir, assetPath);
  if (!existsSync(join(bundleDir, 'index.js'))) throw new Error(`${named.logicalId}: no bundle at ${bundleDir}`);
  return {
    logicalId: named.logicalId,
    bundleDir,
    handler: requiredProperty<string>(named, 'Handler'),
    runtime: requiredProperty<string>(named, 'Runtime'),
    // Lambda's defaults, for a template that leaves them out.
    timeoutSeconds: (named.resource.Properties?.Timeout as number | undefined) ?? 3,
    memorySize: (named.resource.Properties?.MemorySize as number | undefined) ?? 128,
    environment: requiredProperty<{ Variables: Record<string, unknown> }>(named, 'Environment').Variables,
  };
}
