/**
 * One team's relay as it would be deployed, without AWS: its stack's resources in moto_server, its two bundled
 * functions each in a Lambda-like process with the template's environment, the delivery queue's event source into
 * deliver, and ingest reached with the events the HTTP API would send it.
 */
import type { APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Moto } from '../../support/moto';
import { functionAt, requiredProperty, resourcesOfType, type FunctionSpec } from './cloudformation';
import { httpApiEvent, routeKeys, type SenderRequest } from './http-api-event';
import { lambdaEnvironment } from './lambda-environment';
import { startLambda, type LambdaProcess } from './lambda-process';
import { createInMoto, type MotoStack } from './moto-stack';
import { SqsEventSource } from './sqs-event-source';
import type { SynthesizedStack } from './synth';

/** Where the relay's surroundings are. */
export interface DeployedRelayOptions {
  readonly moto: Moto;
  /** The region for a team that does not name one (its stack then goes where the deployer's credentials say). */
  readonly defaultRegion: string;
  /** The contract-checking Spaces server this relay posts to, and the token it expects. */
  readonly spaces: { readonly url: string; readonly token: string };
  readonly sdkNodeModules: string;
}

type Environment = Readonly<Record<string, string>>;

/** Ingest's answer, its JSON body parsed. */
export interface IngestAnswer {
  readonly statusCode: number;
  readonly body: Record<string, unknown>;
}

/** A team's relay, running. */
export interface DeployedRelay {
  readonly stack: SynthesizedStack;
  readonly aws: MotoStack;
  readonly ingest: LambdaProcess;
  readonly deliver: LambdaProcess;
  /** The functions as the template describes them. */
  readonly specs: { readonly ingest: FunctionSpec; readonly deliver: FunctionSpec };
  /** The environments the functions run with. */
  readonly environments: { readonly ingest: Environment; readonly deliver: Environment };
  /** The delivery queue into deliver, as the stack's event source mapping wires it. */
  readonly deliveries: SqsEventSource;
  /** The secret webhook senders authenticate with: the value behind ingest's `WEBHOOK_SECRET_ID`. */
  readonly inboundSecret: string;
  /** Sends a request through the HTTP API to ingest. */
  send(request: SenderRequest): Promise<IngestAnswer>;
  stop(): Promise<void>;
}

/** The queue the stack's event source mapping feeds `deliver` from, after checking it reports partial failures. */
function deliveryQueueOf(stack: SynthesizedStack, deliver: FunctionSpec): string {
  const mapping = resourcesOfType(stack.template, 'AWS::Lambda::EventSourceMapping').find(
    (candidate) => (candidate.resource.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref === deliver.logicalId,
  );
  if (!mapping) throw new Error(`no event source mapping into ${deliver.logicalId}`);
  // The hand-made event source deletes what the function did not report as failed: only right with this setting.
  if (!requiredProperty<string[]>(mapping, 'FunctionResponseTypes').includes('ReportBatchItemFailures')) {
    throw new Error(`${mapping.logicalId} does not report batch item failures`);
  }
  const [queue] = requiredProperty<{ 'Fn::GetAtt': [string, string] }>(mapping, 'EventSourceArn')['Fn::GetAtt'];
  return queue;
}

/** Creates `stack`'s resources and starts its functions; their init runs in the background (`started`). */
export async function startDeployedRelay(stack: SynthesizedStack, options: DeployedRelayOptions): Promise<DeployedRelay> {
  const region = (stack.config.region as string | undefined) ?? options.defaultRegion;
  const aws = await createInMoto(stack, options.moto, { region, spacesToken: options.spaces.token });
  const specs = {
    ingest: functionAt(stack.template, stack.outdir, `${stack.stackName}/Default/Ingest/Function/Resource`),
    deliver: functionAt(stack.template, stack.outdir, `${stack.stackName}/Default/Deliver/Function/Resource`),
  };
  const environmentOf = (spec: FunctionSpec) =>
    lambdaEnvironment(spec, aws, {
      stackName: stack.stackName,
      spacesApiUrl: options.spaces.url,
      motoEndpoint: options.moto.endpoint,
      sdkNodeModules: options.sdkNodeModules,
    });
  const environments = { ingest: environmentOf(specs.ingest), deliver: environmentOf(specs.deliver) };
  const queue = aws.queueByLogicalId(deliveryQueueOf(stack, specs.deliver));
  const inboundSecret = aws.secretValues.get(environments.ingest.WEBHOOK_SECRET_ID ?? '');
  if (inboundSecret === undefined) {
    throw new Error(`ingest's WEBHOOK_SECRET_ID ${environments.ingest.WEBHOOK_SECRET_ID} names no secret`);
  }
  const keys = routeKeys(stack.template);
  const ingest = startLambda(specs.ingest, environments.ingest);
  const deliver = startLambda(specs.deliver, environments.deliver);
  const deliveries = new SqsEventSource(aws.sqs, queue, region, deliver);

  return {
    stack,
    aws,
    ingest,
    deliver,
    specs,
    environments,
    deliveries,
    inboundSecret,
    send: async (request) => {
      const result = await ingest.invoke<APIGatewayProxyResultV2>(httpApiEvent(keys, request));
      // Payload 2.0 takes a result without statusCode as a 200 with the result as its JSON body; ingest always sets one.
      const structured = result as APIGatewayProxyStructuredResultV2;
      if (typeof structured?.statusCode !== 'number') {
        throw new Error(`ingest answered without a status: ${JSON.stringify(result)}`);
      }
      return { statusCode: structured.statusCode, body: JSON.parse(structured.body ?? '{}') as Record<string, unknown> };
    },
    stop: async () => {
      await Promise.all([ingest.stop(), deliver.stop()]);
      aws.dispose();
    },
  };
}
