/** Team configs and synthesized relay stacks for the infrastructure tests. */
import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import { RelayStack, stackNameFor } from '../../../infra/relay-stack';
import { parseTeamConfig, readTeam, type Team } from '../../../infra/team-config';

export const TEAMS_DIR = join(__dirname, '..', '..', '..', 'teams');

/** The smallest valid config: the required fields only. */
export const MINIMAL_CONFIG = {
  channels: { default: 'space-default' },
  tokenSecret: 'relay/spaces-token',
  sources: ['alertmanager', 'grafana'],
};

/** A team from the minimal config plus `overrides`, validated like a file would be. */
export function team(overrides: Record<string, unknown> = {}, name = 'test'): Team {
  return { name, config: parseTeamConfig({ ...MINIMAL_CONFIG, ...overrides }, `${name}.json`) };
}

/** The team of `teams/example.json`. */
export const exampleTeam = (): Team => readTeam(TEAMS_DIR, 'example');

/** An app that does not bundle: the tests look at templates, and esbuild would only cost time. */
export const testApp = (): App => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

/** Adds the relay stack of `of` to `app`. */
export const addRelayStack = (app: App, of: Team): RelayStack =>
  new RelayStack(app, stackNameFor(of.name), { team: of });

/** The relay stack of `of`, alone in a fresh test app, with its template. */
export function relayStack(of: Team): { app: App; stack: RelayStack; template: Template } {
  const app = testApp();
  const stack = addRelayStack(app, of);
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id of a construct's CloudFormation resource (its default child, or itself). */
export function idOf(construct: IConstruct): string {
  const resource = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(resource);
}
