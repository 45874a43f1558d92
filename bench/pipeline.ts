/**
 * Payloads per second through verify → decode → parse → normalize → render, on one core: Alertmanager's, and Slack
 * Block Kit payloads beside them (their mrkdwn and blocks are converted by the relay, so they cost more; the goal is
 * within twice Alertmanager's time).
 */
import * as v from 'valibot';
import { renderMessage } from '../lambda/render/body-text';
import { alertmanager } from '../lambda/sources/alertmanager';
import { slack } from '../lambda/sources/slack';
import { decodeJson, type InboundRequest, type Source } from '../lambda/sources/source';
import { fixtureBytes, fixtureNames, webhookRequest } from '../test/support/fixtures';

const SECRET = 'bench-secret';

/** One source's requests, each taken through the whole of ingest's work and rendered. */
function measure(source: Source<unknown, unknown>, requests: readonly InboundRequest[]): { perSecond: number; micros: number } {
  const endpoint = source.webhook!;
  const once = (): number => {
    let bytes = 0;
    for (const request of requests) {
      endpoint.verifyHeaders!(request.headers, SECRET);
      const payload = v.parse(source.schema, (endpoint.decode ?? decodeJson)(request));
      source.deliveryKey(payload, request);
      for (const message of source.toMessages(payload, undefined)) bytes += renderMessage(message).join('').length;
    }
    return bytes;
  };
  for (let i = 0; i < 2000; i += 1) once(); // warm-up: let the JIT settle
  const rounds = 10_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i += 1) once();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const payloads = rounds * requests.length;
  return { perSecond: payloads / seconds, micros: (seconds / payloads) * 1e6 };
}

const requestsOf = (folder: string, names: readonly string[]): InboundRequest[] =>
  names.map((name) => webhookRequest(`/hooks/${folder}`, fixtureBytes(folder, name), { authorization: `Bearer ${SECRET}` }));

export async function pipelineBenchmark(): Promise<void> {
  const alerts = requestsOf('alertmanager', fixtureNames('alertmanager'));
  // The fixtures whose content is Block Kit: blocks at the top or inside an attachment.
  const blockKit = requestsOf('slack', fixtureNames('slack').filter((name) => /block_kit|uptime_kuma/.test(name)));
  const line = (what: string, count: number, { perSecond, micros }: { perSecond: number; micros: number }): string =>
    `${what} (${count} fixtures): ${Math.round(perSecond).toLocaleString('en-US')} payloads/s on one core (${micros.toFixed(1)} µs each)`;
  const am = measure(alertmanager, alerts);
  const kit = measure(slack, blockKit);
  process.stdout.write(
    `pipeline: ${line('Alertmanager', alerts.length, am)}\n` +
      `pipeline: ${line('Slack Block Kit', blockKit.length, kit)}; ${(kit.micros / am.micros).toFixed(2)}× Alertmanager's time per payload (goal: within 2×)\n`,
  );
}
