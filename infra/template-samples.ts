/**
 * Templates rendered against real payloads at synth: a template that names a field its source's payloads do not have
 * (a typo, another sender's field) fails `cdk synth`, naming the template, the line and the sample, instead of
 * falling back on every message once deployed.
 *
 * The samples are a few real payloads per source, kept with the sources (`lambda/sources/samples/<source>.json`:
 * `{"payloads": {"<name>": payload}, "settings"?: the source settings they need to be posted}`). They are read here
 * only; no function bundles them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { notificationsFor } from '../lambda/model/notification';
import { writtenAs, type CompiledTemplates } from '../lambda/render/templates';
import type { Problem } from '../lambda/runtime/errors';
import { findSource } from '../lambda/sources';
import { checkSourceSettings } from '../lambda/sources/settings';

const SAMPLES_DIR = join(__dirname, '..', 'lambda', 'sources', 'samples');

const SamplesSchema = v.object({
  payloads: v.record(v.string(), v.unknown()),
  settings: v.optional(v.record(v.string(), v.unknown())),
});
/** A source's sample payloads, by name, and the settings under which they are posted. */
export type Samples = v.InferOutput<typeof SamplesSchema>;

/** The samples of `source`. */
export function readSamples(source: string): Samples {
  return v.parse(SamplesSchema, JSON.parse(readFileSync(join(SAMPLES_DIR, `${source}.json`), 'utf8')));
}

/** A channel no team has (channel names are never empty): the source's own templates, without a channel's. */
const NO_CHANNEL = '';
/** When the samples are taken to have arrived: any fixed time, so that a synth does not depend on the clock. */
const SAMPLE_TIME = '2026-01-01T00:00:00.000Z';

/**
 * Renders each source's templates (its own, and each channel's) against its samples, with the team's source settings
 * and strict variables; every template that fails is a problem at its field (`github.title`), the first failure only.
 */
export function templateSampleProblems(templates: CompiledTemplates, sourceSettings: Readonly<Record<string, unknown>>): Problem[] {
  const problems = new Map<string, string>();
  for (const [name, compiled] of templates) {
    const source = findSource(name)!;
    const samples = readSamples(name);
    const own = sourceSettings[name];
    const settings = checkSourceSettings({
      ...sourceSettings,
      [name]: { ...(typeof own === 'object' && own !== null ? own : {}), ...samples.settings },
    });
    // Settings that do not check are reported where they are written.
    if (!settings.ok) continue;
    for (const [sample, payload] of Object.entries(samples.payloads)) {
      const messages = source
        .toMessages(v.parse(source.schema, payload), settings.settings.get(name))
        .map(({ channel: _, ...message }) => message);
      const onFailure = (where: string, problem: string): void => {
        if (problems.has(where)) return;
        const hint = problem.includes('undefined variable') ? '; a value only some payloads have needs {% if %} or | default' : '';
        problems.set(where, `${problem} (rendering the ${name} sample "${sample}")${hint}`);
      };
      for (const channel of [NO_CHANNEL, ...compiled.channels.keys()]) {
        // Written as ingest and deliver write them: the queued notifications (items and texts cut to fit), then the
        // channel's templates — a template sees here what it will see deployed.
        const notifications = notificationsFor(messages, { id: 'sample', deliveryKey: sample, receivedAt: SAMPLE_TIME, channel });
        writtenAs(notifications, { source: name, payload }, templates, { strictVariables: true, onFailure });
      }
    }
  }
  return [...problems].map(([field, problem]) => ({ field, problem }));
}
