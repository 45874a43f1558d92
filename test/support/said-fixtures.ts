/**
 * Every real fixture said by its source, with the payload a template sees: a webhook's body decoded as the source
 * decodes it (with the fixture's recorded headers), an AWS event as the envelopes hand it to its source.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { unwrapText } from '../../lambda/envelopes';
import type { ChatMessage } from '../../lambda/model/message';
import { SOURCES } from '../../lambda/sources';
import { readSamples } from '../../infra/template-samples';
import { resolveSourceSettings } from '../../lambda/sources/settings';
import { decodeJson } from '../../lambda/sources/source';
import { FIXTURES, fixtureBytes, fixtureNames, fixtureSidecar, webhookRequest } from './fixtures';

/** The AWS sources, whose fixtures are named after the service; every other source's folder is its name. */
const AWS_FOLDERS: Readonly<Record<string, string>> = {
  sns: 'aws_cloudwatch',
  cloudwatch: 'aws_cloudwatch',
  codebuild: 'aws_codebuild',
  codepipeline: 'aws_codepipeline',
};

/** Each source of the registry with the fixture folder it has, so a new source's fixtures are said without a list to update. */
const FOLDERS: readonly (readonly [source: string, folder: string])[] = SOURCES.map(
  (source) => [source.name, AWS_FOLDERS[source.name] ?? source.name] as const,
).filter(([, folder]) => existsSync(join(FIXTURES, folder)));

/** Fixtures that are not a delivery: GitHub's HMAC test vector is a secret, a body and its signature. */
const NOT_DELIVERIES: ReadonlySet<string> = new Set(['github/signature_test_vector_github_docs.json']);

/** One fixture's messages, as its source says them, and the payload they were said from. */
export interface SaidFixture {
  readonly source: string;
  readonly fixture: string;
  readonly payload: unknown;
  readonly messages: ChatMessage[];
}

/** The bucket an S3 event is about, for settings that watch it. */
function bucketOf(event: unknown): string | undefined {
  const e = event as { Records?: { s3?: { bucket?: { name?: string } } }[]; detail?: { bucket?: { name?: string } } };
  return e.Records?.[0]?.s3?.bucket?.name ?? e.detail?.bucket?.name;
}

/** Settings under which as many fixtures as can say something: every kind of run posted, the event's bucket watched. */
function settingsFor(payload: unknown) {
  const bucket = bucketOf(payload);
  return resolveSourceSettings({
    github: { workflowJob: true, checkRun: true, inProgress: true },
    gitlab: { jobEvents: true, inProgress: true },
    ...(bucket ? { s3: { buckets: [{ name: bucket }] } } : {}),
  });
}

function payloadsOf(name: string, folder: string, file: string): unknown[] {
  const source = SOURCES.find((candidate) => candidate.name === name)!;
  const bytes = fixtureBytes(folder, file);
  if (source.event) {
    try {
      return unwrapText(bytes.toString('utf8')).filter((event) => source.event!.matches(event));
    } catch (error) {
      throw new Error(`fixture ${folder}/${file} does not unwrap: ${String(error)}`, { cause: error });
    }
  }
  const sidecar = existsSync(join(FIXTURES, folder, file.replace(/\.json$/, '.headers.json')))
    ? fixtureSidecar(folder, file).headers
    : {};
  try {
    return [(source.webhook!.decode ?? decodeJson)(webhookRequest(`/hooks/${name}`, bytes, sidecar))];
  } catch (error) {
    throw new Error(`fixture ${folder}/${file} does not decode as ${name}: ${String(error)}`, { cause: error });
  }
}

/** Every fixture a source accepts and says at least one message of. */
export function saidFixtures(): SaidFixture[] {
  return FOLDERS.flatMap(([name, folder]) => {
    const source = SOURCES.find((candidate) => candidate.name === name)!;
    const deliveries = fixtureNames(folder).filter((file) => !NOT_DELIVERIES.has(`${folder}/${file}`));
    return deliveries.flatMap((file) =>
      payloadsOf(name, folder, file).flatMap((payload): SaidFixture[] => {
        const parsed = v.safeParse(source.schema, payload);
        if (!parsed.success) throw new Error(`fixture ${folder}/${file} does not fit the ${name} schema: ${v.summarize(parsed.issues)}`);
        const messages = source.toMessages(parsed.output, settingsFor(payload).get(name));
        return messages.length > 0 ? [{ source: name, fixture: `${folder}/${file}`, payload, messages }] : [];
      }),
    );
  });
}

/** The template samples of every source (`lambda/sources/samples/`), said as synth says them. */
export function saidSamples(): SaidFixture[] {
  return SOURCES.flatMap((source) => {
    const samples = readSamples(source.name);
    const settings = resolveSourceSettings(samples.settings ? { [source.name]: samples.settings } : {});
    return Object.entries(samples.payloads).map(([sample, payload]) => ({
      source: source.name,
      fixture: `samples/${source.name}/${sample}`,
      payload,
      messages: source.toMessages(v.parse(source.schema, payload), settings.get(source.name)),
    }));
  });
}
