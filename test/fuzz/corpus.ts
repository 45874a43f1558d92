/**
 * The real payloads the fuzz suite starts from: each webhook source's fixtures with the headers they were sent with,
 * the AWS events the stack puts on the queue, and the notifications ingest queues for them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { QueuedNotification } from '../../lambda/model/notification';
import { ingestWebhook } from '../../lambda/ingest/intake';
import { SOURCES } from '../../lambda/sources';
import { FIXTURES, fixtureBytes, fixtureJson, fixtureNames, webhookRequest } from '../support/fixtures';
import { testIntake } from '../support/intake';
import { toJsonText, toTree, type Tree } from './json-tree';
import { EVERYTHING_ON } from './team';

/** One payload to start from: where it came from, its JSON as a tree (or raw text), the headers it was sent with. */
export interface Seed {
  readonly name: string;
  readonly body: { readonly json: Tree } | { readonly text: string };
  /** Lower-case names; connection-level headers (`content-length`, `host`) left out. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Headers that describe a connection or a length, not the request: the client sets them for the body it sends. */
const CONNECTION_HEADERS = ['content-length', 'host', 'connection', 'transfer-encoding'];

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .map(([name, value]) => [name.toLowerCase(), value] as const)
      .filter(([name]) => !CONNECTION_HEADERS.includes(name)),
  );
}

/** The headers a fixture was sent with: its own sidecar, else its folder's shared one, else plain JSON. */
function sentHeaders(folder: string, name: string): Record<string, string> {
  const own = name.replace(/\.json$/, '.headers.json');
  for (const sidecar of [own, '_headers_generic.json']) {
    if (existsSync(join(FIXTURES, folder, sidecar))) return lowerCased(fixtureJson<{ headers: Record<string, string> }>(folder, sidecar).headers);
  }
  return { 'content-type': 'application/json' };
}

function fixtureSeeds(folder: string, keep: (name: string) => boolean = () => true): Seed[] {
  return fixtureNames(folder)
    .filter(keep)
    .map((name) => ({ name: `${folder}/${name}`, body: { json: toTree(fixtureJson(folder, name)) }, headers: sentHeaders(folder, name) }));
}

/** The AWS events of the fixtures: EventBridge, SNS (HTTPS and Lambda forms), SQS, S3 notifications, alarm actions. */
export function awsEventSeeds(): Seed[] {
  return ['aws_cloudwatch', 'aws_codebuild', 'aws_codepipeline', 's3'].flatMap((folder) => fixtureSeeds(folder));
}

/** API Gateway's own events: not events the relay reads, which is why they are worth sending it. */
export function apiGatewaySeeds(): Seed[] {
  return fixtureSeeds('apigateway');
}

/** An SNS HTTPS notification carrying `event` as its message, as a topic the stack does not own delivers it. */
function snsCarrying(event: Seed): Seed {
  const plain = 'sns_https_notification_plain_aws_docs.json';
  const notification = fixtureJson<Record<string, unknown>>('aws_cloudwatch', plain);
  return {
    name: `sns carrying ${event.name}`,
    body: { json: toTree({ ...notification, Message: seedText(event) }) },
    headers: sentHeaders('aws_cloudwatch', plain),
  };
}

/** `generic` has no sender of its own to capture: its documented shapes (README "generic"), JSON and text. */
const GENERIC_SEEDS: Seed[] = [
  {
    name: 'generic/every field',
    body: {
      json: toTree({
        text: 'Disk almost full on db-1',
        title: 'Disk space',
        status: 'firing',
        severity: 'warning',
        fields: { host: 'db-1', used: 93.5, critical: false },
        links: ['https://grafana.example.com/d/disk', { label: 'Runbook', url: 'https://wiki.example.com/runbooks/disk' }],
      }),
    },
    headers: { 'content-type': 'application/json' },
  },
  { name: 'generic/text only', body: { json: toTree({ text: 'Hello from spaces-relay' }) }, headers: { 'content-type': 'application/json' } },
  { name: 'generic/plain text', body: { text: 'Deploy of api 1.4.2 finished' }, headers: { 'content-type': 'text/plain; charset=utf-8' } },
];

/** Slack's legacy form body, `payload=<json>`, as a deploy notifier sends it. */
const SLACK_FORM_SEED: Seed = {
  name: 'slack/slackistrano_deploy_zulip.form',
  body: { text: fixtureBytes('slack', 'slackistrano_deploy_zulip.form').toString('utf8') },
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
};

/** Each webhook source's seeds. A source missing here fails the suite: every route of the registry is fuzzed. */
function webhookSeeds(source: string): Seed[] | undefined {
  switch (source) {
    case 'alertmanager':
    case 'grafana':
    case 'gitlab':
    case 'jenkins':
    case 'circleci':
    case 'teams':
    case 'discord':
      return fixtureSeeds(source);
    case 'github':
      // The signature test vector is GitHub's "Hello, World!" example, not a payload.
      return fixtureSeeds('github', (name) => !name.startsWith('signature_test_vector'));
    case 'sns':
      return [
        ...fixtureSeeds('aws_cloudwatch', (name) => name.startsWith('sns_https_')),
        ...awsEventSeeds()
          .filter((seed) => /eventbridge|build_state|pipeline_execution/.test(seed.name))
          .map(snsCarrying),
      ];
    case 'generic':
      return GENERIC_SEEDS;
    case 'slack':
      return [...fixtureSeeds('slack'), SLACK_FORM_SEED];
    default:
      return undefined;
  }
}

/** A seed's body as text, unmutated. */
export function seedText(seed: Seed): string {
  return 'text' in seed.body ? seed.body.text : toJsonText(seed.body.json);
}

/** The sources reachable at `POST /hooks/{source}`, in registry order. */
export const WEBHOOK_SOURCES: readonly string[] = SOURCES.filter((source) => source.webhook).map((source) => source.name);

/** The seeds of every webhook source; throws naming a registry source without any, so none is left out unnoticed. */
export function seedsBySource(): ReadonlyMap<string, readonly Seed[]> {
  return new Map(
    WEBHOOK_SOURCES.map((source) => {
      const seeds = webhookSeeds(source);
      if (!seeds || seeds.length === 0) throw new Error(`the fuzz corpus has no payloads for the webhook source "${source}"`);
      return [source, seeds] as const;
    }),
  );
}

/** The notifications ingest queues for every webhook fixture: what deliver reads from the queue most of the time. */
export async function queuedNotificationSeeds(): Promise<Seed[]> {
  const { deps, queued } = testIntake({ settings: JSON.parse(EVERYTHING_ON) as Record<string, unknown>, channels: ['ops'] });
  for (const [source, seeds] of seedsBySource()) {
    for (const seed of seeds) {
      await ingestWebhook(webhookRequest(`/hooks/${source}`, seedText(seed), seed.headers), deps);
    }
  }
  return queued.map((notification: QueuedNotification, index) => ({
    name: `queued/${index} ${notification.message.source}`,
    body: { json: toTree(notification) },
    headers: {},
  }));
}
