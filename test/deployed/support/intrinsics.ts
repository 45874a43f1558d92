/**
 * The CloudFormation intrinsics a template's values use (`Ref`, `Fn::GetAtt`, `Fn::Join`), resolved against resources
 * created elsewhere (in moto_server) by logical id, the way CloudFormation resolves them on deployment.
 */

/** What a created resource answers to `Ref` and to `Fn::GetAtt`. */
export interface ResourceValues {
  readonly ref: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** The pseudo parameters a template may `Ref`. */
export interface PseudoParameters {
  readonly 'AWS::AccountId': string;
  readonly 'AWS::Region': string;
  readonly 'AWS::Partition': string;
  readonly 'AWS::URLSuffix': string;
  readonly 'AWS::StackName': string;
}

/** The values to resolve with: created resources by logical id, and the pseudo parameters. */
export interface Resolution {
  readonly resources: ReadonlyMap<string, ResourceValues>;
  readonly pseudo: PseudoParameters;
}

/**
 * `value` with its intrinsics resolved, as a string (environment variables are strings). An intrinsic this does not
 * know, or a logical id nothing was created for, throws: the test must not run with a value it made up.
 */
export function resolveIntrinsics(value: unknown, resolution: Resolution): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    const [name, argument] = entries[0] ?? [];
    if (entries.length === 1 && name === 'Ref') return resolveRef(argument, resolution);
    if (entries.length === 1 && name === 'Fn::GetAtt') return resolveGetAtt(argument, resolution);
    if (entries.length === 1 && name === 'Fn::Join') return resolveJoin(argument, resolution);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}: only strings, Ref, Fn::GetAtt and Fn::Join are known here`);
}

function resolveRef(target: unknown, { resources, pseudo }: Resolution): string {
  if (typeof target !== 'string') throw new Error(`Ref to ${JSON.stringify(target)}`);
  if (Object.hasOwn(pseudo, target)) return pseudo[target as keyof PseudoParameters];
  const created = resources.get(target);
  if (!created) throw new Error(`Ref ${target}: no such resource was created`);
  return created.ref;
}

function resolveGetAtt(argument: unknown, { resources }: Resolution): string {
  const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
  const value = resources.get(String(logicalId))?.attributes?.[String(attribute)];
  if (value === undefined) throw new Error(`Fn::GetAtt ${String(logicalId)}.${String(attribute)}: not known`);
  return value;
}

function resolveJoin(argument: unknown, resolution: Resolution): string {
  if (!Array.isArray(argument) || typeof argument[0] !== 'string' || !Array.isArray(argument[1])) {
    throw new Error(`Fn::Join needs [separator, [values]], not ${JSON.stringify(argument)}`);
  }
  const [separator, parts] = argument as [string, unknown[]];
  return parts.map((part) => resolveIntrinsics(part, resolution)).join(separator);
}
