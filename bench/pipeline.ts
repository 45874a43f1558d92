/**
 * Payloads per second through verify → decode → parse → normalize → templates → render, on one core: Alertmanager's
 * as the relay says them and with a team's template that rewrites every part from the payload (goal: templated at
 * least half as fast), and Slack Block Kit payloads beside them (their mrkdwn and blocks are converted by the relay,
 * so they cost more; the goal is within twice Alertmanager's time).
 */
import * as v from 'valibot';
import { renderMessage } from '../lambda/render/body-text';
import { applyTemplates, checkTemplates, NO_TEMPLATES, type CompiledTemplates } from '../lambda/render/templates';
import { SOURCES } from '../lambda/sources';
import { alertmanager } from '../lambda/sources/alertmanager';
import { slack } from '../lambda/sources/slack';
import { decodeJson, type InboundRequest, type Source } from '../lambda/sources/source';
import { fixtureBytes, fixtureNames, webhookRequest } from '../test/support/fixtures';

const SECRET = 'bench-secret';

/** A template a team could write: every part, conditions, filters, the payload's labels, per-item lookups, bold. */
const TEAM_TEMPLATES = {
  alertmanager: {
    title: '{{ message.title }}{% if payload.commonLabels.cluster %} on {{ payload.commonLabels.cluster }}{% endif %}',
    summary: '{{ payload.receiver | bold }}: {{ message.summary | default: "no summary" | truncate: 200 }}',
    fields: [
      { name: 'Team', value: '{{ payload.commonLabels.team | default: payload.receiver }}' },
      { name: 'Alerts', value: '{{ payload.alerts.size }} ({{ payload.status | upcase }})' },
      '*',
    ],
    item: '{{ item.title }}{% if payload.alerts[index].labels.instance %} @ {{ payload.alerts[index].labels.instance }}{% endif %}',
    link: '{% case link.label %}{% when "Runbook" %}📖 Runbook{% when "Silence" %}🔕 Silence{% else %}{{ link.label }}{% endcase %}',
  },
};

function compiled(raw: unknown): CompiledTemplates {
  const checked = checkTemplates(raw, SOURCES.map((source) => source.name));
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return checked.templates;
}

interface Run {
  readonly perSecond: number;
  readonly micros: number;
  readonly payloads: number;
}

/** Payloads per second: `source`'s requests, each taken through the whole of ingest's work with `templates`, and rendered. */
function throughput(source: Source<unknown, unknown>, requests: readonly InboundRequest[], templates: CompiledTemplates): Run {
  const endpoint = source.webhook!;
  const settings = source.settings ? v.parse(source.settings, {}) : undefined;
  const once = (): number => {
    let bytes = 0;
    for (const request of requests) {
      endpoint.verifyHeaders!(request.headers, SECRET);
      const decoded = (endpoint.decode ?? decodeJson)(request);
      const payload = v.parse(source.schema, decoded);
      source.deliveryKey(payload, request);
      const messages = applyTemplates(source.toMessages(payload, settings), { source: source.name, payload: decoded }, templates);
      for (const message of messages) bytes += renderMessage(message).join('').length;
    }
    return bytes;
  };
  for (let i = 0; i < 1000; i += 1) once(); // warm-up: let the JIT settle
  const rounds = 5_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i += 1) once();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const payloads = rounds * requests.length;
  return { perSecond: payloads / seconds, micros: (seconds / payloads) * 1e6, payloads };
}

const requestsOf = (folder: string, names: readonly string[]): InboundRequest[] =>
  names.map((name) => webhookRequest(`/hooks/${folder}`, fixtureBytes(folder, name), { authorization: `Bearer ${SECRET}` }));

/** The fastest of `runs`: on a shared machine the slower ones measured the neighbours. */
const best = (runs: readonly Run[]): Run => runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));

export async function pipelineBenchmark(): Promise<void> {
  const alerts = requestsOf('alertmanager', fixtureNames('alertmanager'));
  // The fixtures whose content is Block Kit: blocks at the top or inside an attachment.
  const blockKit = requestsOf('slack', fixtureNames('slack').filter((name) => /block_kit|uptime_kuma/.test(name)));
  const line = (name: string, run: Run): string =>
    `${name}: ${Math.round(run.perSecond).toLocaleString('en-US')} payloads/s (${run.micros.toFixed(1)} µs each)`;
  // Taken in turns, best of three each: one long run of each would measure the neighbours.
  const team = compiled(TEAM_TEMPLATES);
  const turns = [0, 1, 2].map(() => [
    throughput(alertmanager, alerts, NO_TEMPLATES),
    throughput(alertmanager, alerts, team),
    throughput(slack, blockKit, NO_TEMPLATES),
  ]);
  const [plain, templated, kit] = [0, 1, 2].map((which) => best(turns.map((turn) => turn[which]!)));
  process.stdout.write(
    `pipeline: ${alerts.length} Alertmanager fixtures and ${blockKit.length} Slack Block Kit fixtures, best of 3 turns, on one core\n` +
      `  ${line('Alertmanager, default rendering', plain!)}\n` +
      `  ${line('Alertmanager, team template (every part)', templated!)} = ${(templated!.perSecond / plain!.perSecond).toFixed(2)}× default (goal ≥ 0.5×)\n` +
      `  ${line('Slack Block Kit', kit!)} = ${(kit!.micros / plain!.micros).toFixed(2)}× Alertmanager's time per payload (goal: within 2×)\n`,
  );
}
