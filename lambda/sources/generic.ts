/**
 * Anything that can send JSON or plain text: `{"text": "...", "title"?, "status"?, "severity"?, "fields"?, "links"?}`,
 * or a `text/plain` body used as the text.
 */
import * as v from 'valibot';
import { BadRequestError } from '../errors';
import { chatMessage, STATUSES } from '../message';
import { hashedKey } from './delivery-key';
import { verifySharedSecret } from './shared-secret';
import { defineSource, type InboundRequest } from './source';

const LinkInput = v.union([
  v.pipe(v.string(), v.url('must be an absolute URL'), v.transform((url) => ({ label: 'Link', url }))),
  v.object({ label: v.pipe(v.string(), v.nonEmpty()), url: v.pipe(v.string(), v.url('must be an absolute URL')) }),
]);

export const GenericSchema = v.object({
  text: v.pipe(v.string('text is required'), v.nonEmpty('text must not be empty')),
  title: v.optional(v.string()),
  status: v.optional(v.picklist(STATUSES, `status must be one of: ${STATUSES.join(', ')}`), 'info'),
  severity: v.optional(v.string()),
  fields: v.optional(v.record(v.string(), v.union([v.string(), v.number(), v.boolean()])), {}),
  links: v.optional(v.pipe(v.array(LinkInput), v.maxLength(20)), []),
});
export type Generic = v.InferOutput<typeof GenericSchema>;

function decode(request: InboundRequest): unknown {
  const body = request.body.toString('utf8');
  if ((request.headers['content-type'] ?? '').toLowerCase().startsWith('text/plain')) return { text: body.trim() };
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new BadRequestError('body is not valid JSON', { problems: [{ field: 'body', problem: 'invalid JSON' }], cause: error });
  }
}

export const generic = defineSource<Generic>({
  name: 'generic',
  schema: GenericSchema,
  webhook: { contentTypes: ['application/json', 'text/plain'], verify: verifySharedSecret, decode },
  // A caller that retries should send Idempotency-Key; without it, the same body counts as the same notification.
  deliveryKey: (payload, request) =>
    hashedKey('generic', [request?.headers['idempotency-key'] ?? JSON.stringify(payload)]),
  toMessages: (payload) => [
    chatMessage({
      source: 'generic',
      status: payload.status,
      title: payload.title ?? 'Message',
      severity: payload.severity,
      summary: payload.text,
      fields: Object.entries(payload.fields).map(([name, value]) => ({ name, value: String(value) })),
      links: payload.links,
    }),
  ],
});
