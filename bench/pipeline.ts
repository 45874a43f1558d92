/** Alertmanager payloads per second through verify → parse → normalize → render, on one core. */
import * as v from 'valibot';
import { renderMessage } from '../lambda/render/body-text';
import { alertmanager } from '../lambda/sources/alertmanager';
import { verifySharedSecret } from '../lambda/sources/shared-secret';
import { fixtureBytes, fixtureNames, webhookRequest } from '../test/support/fixtures';

export async function pipelineBenchmark(): Promise<void> {
  const secret = 'bench-secret';
  const requests = fixtureNames('alertmanager').map((name) =>
    webhookRequest('/hooks/alertmanager', fixtureBytes('alertmanager', name), { authorization: `Bearer ${secret}` }),
  );
  const once = (): number => {
    let bytes = 0;
    for (const request of requests) {
      verifySharedSecret(request.headers, secret);
      const payload = v.parse(alertmanager.schema, JSON.parse(request.body.toString('utf8')));
      alertmanager.deliveryKey(payload, request);
      for (const message of alertmanager.toMessages(payload, { useSenderText: false })) bytes += renderMessage(message).join('').length;
    }
    return bytes;
  };
  for (let i = 0; i < 2000; i += 1) once(); // warm-up: let the JIT settle
  const rounds = 20_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i += 1) once();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const payloads = rounds * requests.length;
  process.stdout.write(
    `pipeline: ${payloads} Alertmanager payloads (${requests.length} fixtures) in ${seconds.toFixed(2)} s = ` +
      `${Math.round(payloads / seconds).toLocaleString('en-US')} payloads/s on one core (${(seconds / payloads * 1e6).toFixed(1)} µs each)\n`,
  );
}
