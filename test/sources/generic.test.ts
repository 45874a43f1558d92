import * as v from 'valibot';
import { BadRequestError } from '../../lambda/runtime/errors';
import { generic, GenericSchema } from '../../lambda/sources/generic';
import { webhookRequest } from '../support/fixtures';
import { visibleText } from '../support/render-text';

const decode = (body: string, contentType = 'application/json') =>
  generic.webhook!.decode!(webhookRequest('/hooks/generic', body, { 'content-type': contentType }));

describe('generic source', () => {
  it('turns JSON with title, status, fields and links into a message', () => {
    const payload = v.parse(
      GenericSchema,
      decode(JSON.stringify({ text: 'Deploy done', title: 'payments v42', status: 'success', fields: { env: 'prod', canary: true }, links: ['https://ci.example.com/42', { label: 'Changelog', url: 'https://example.com/c' }] })),
    );

    const [message] = generic.toMessages(payload, undefined);

    expect(visibleText(message!)).toContain('✔️ SUCCEEDED · payments v42');
    expect(visibleText(message!)).toContain('env: prod');
    expect(visibleText(message!)).toContain('canary: true');
    expect(message!.links).toEqual([
      { label: 'Link', url: 'https://ci.example.com/42' },
      { label: 'Changelog', url: 'https://example.com/c' },
    ]);
  });

  it('takes a text/plain body as the text', () => {
    const payload = v.parse(GenericSchema, decode('  disk almost full on db-1\n', 'text/plain'));

    const [message] = generic.toMessages(payload, undefined);

    expect(message!.summary).toBe('disk almost full on db-1');
    expect(message!.status).toBe('info');
  });

  it('rejects a missing text and an unknown status, naming the fields', () => {
    const result = v.safeParse(GenericSchema, { status: 'meh' });

    expect(result.success).toBe(false);
    expect(result.issues!.map((i) => v.getDotPath(i))).toEqual(['text', 'status']);
  });

  it('answers invalid JSON with a bad request naming the body', () => {
    expect(() => decode('{"text": ')).toThrow(BadRequestError);
  });

  it('keys on Idempotency-Key when the caller sends one, else on the body', () => {
    const payload = v.parse(GenericSchema, { text: 'hi' });
    const keyed = webhookRequest('/hooks/generic', '{}', { 'Idempotency-Key': 'abc' });

    expect(generic.deliveryKey(payload, keyed)).not.toBe(generic.deliveryKey(payload));
    expect(generic.deliveryKey(payload)).toBe(generic.deliveryKey(v.parse(GenericSchema, { text: 'hi' })));
  });
});
