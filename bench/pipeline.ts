/**
 * Alertmanager payloads per second through verify → parse → normalize → templates → render, on one core: once as the
 * relay says them without a team's templates, once with a template that rewrites every part from the payload.
 */
import * as v from 'valibot';
import { renderMessage } from '../lambda/render/body-text';
import { applyTemplates, checkTemplates, NO_TEMPLATES, type CompiledTemplates } from '../lambda/render/templates';
import { SOURCES } from '../lambda/sources';
import { alertmanager } from '../lambda/sources/alertmanager';
import { verifySharedSecret } from '../lambda/sources/shared-secret';
import { fixtureBytes, fixtureNames, webhookRequest } from '../test/support/fixtures';

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
  readonly fixtures: number;
}

/** Payloads per second through the whole pipeline with `templates`. */
function throughput(templates: CompiledTemplates): Run {
  const secret = 'bench-secret';
  const requests = fixtureNames('alertmanager').map((name) =>
    webhookRequest('/hooks/alertmanager', fixtureBytes('alertmanager', name), { authorization: `Bearer ${secret}` }),
  );
  const once = (): number => {
    let bytes = 0;
    for (const request of requests) {
      verifySharedSecret(request.headers, secret);
      const decoded = JSON.parse(request.body.toString('utf8')) as unknown;
      const payload = v.parse(alertmanager.schema, decoded);
      alertmanager.deliveryKey(payload, request);
      const messages = applyTemplates(alertmanager.toMessages(payload, { useSenderText: false }), { source: 'alertmanager', payload: decoded }, templates);
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
  return { perSecond: payloads / seconds, micros: (seconds / payloads) * 1e6, payloads, fixtures: requests.length };
}

export async function pipelineBenchmark(): Promise<void> {
  const line = (name: string, run: ReturnType<typeof throughput>): string =>
    `${name}: ${Math.round(run.perSecond).toLocaleString('en-US')} payloads/s (${run.micros.toFixed(1)} µs each)`;
  // Taken in turns, best of three each: on a shared machine one long run of each would measure the neighbours.
  const team = compiled(TEAM_TEMPLATES);
  const runs = [0, 1, 2].map(() => [throughput(NO_TEMPLATES), throughput(team)] as const);
  const best = (which: 0 | 1): Run => runs.map((pair) => pair[which]).reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const [plain, templated] = [best(0), best(1)];
  process.stdout.write(
    `pipeline: ${plain.payloads} Alertmanager payloads (${plain.fixtures} fixtures) each way, best of 3 turns, on one core\n` +
      `  ${line('default rendering', plain)}\n` +
      `  ${line('team template (every part)', templated)} = ${(templated.perSecond / plain.perSecond).toFixed(2)}× default\n`,
  );
}
