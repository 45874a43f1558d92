/**
 * Anything that can send JSON or plain text: `{"text": "...", "title"?, "status"?, "severity"?, "fields"?, "links"?}`,
 * or a `text/plain` body used as the text.
 */
import * as v from 'valibot';
import { knownFacts } from '../model/facts';
import { chatMessage, STATUSES } from '../model/message';
import { hashedKey } from './delivery-key';
import { verifySharedSecret } from './shared-secret';
import { decodeJson, defineSource, type InboundRequest } from './source';

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

const isText = (request: InboundRequest): boolean =>
  (request.headers['content-type'] ?? '').toLowerCase().startsWith('text/plain');

function decode(request: InboundRequest): unknown {
  return isText(request) ? { text: request.body.toString('utf8').trim() } : decodeJson(request);
}

/** How `POST /hooks` tells a generic message: plain text, or JSON with a `text`. Asked last, after every sender's own shape. */
const GenericShape = v.object({ text: v.string() });

export const generic = defineSource<Generic>({
  name: 'generic',
  schema: GenericSchema,
  webhook: {
    contentTypes: ['application/json', 'text/plain'],
    verifyHeaders: verifySharedSecret,
    decode,
    detect: (request, body) => isText(request) || v.is(GenericShape, body),
  },
  // A caller that retries should send Idempotency-Key; without it, the same body counts as the same notification.
  deliveryKey: (payload, request) =>
    hashedKey('generic', [request?.headers['idempotency-key'] ?? JSON.stringify(payload)]),
  toMessages: (payload) => {
    const fields = Object.entries(payload.fields).map(([name, value]) => ({ name, value: String(value) }));
    return [
      chatMessage({
        source: 'generic',
        status: payload.status,
        title: payload.title ?? 'Message',
        severity: payload.severity,
        summary: payload.text,
        fields,
        links: payload.links,
        // The sender's fields are its labels: a route or mention matches on them as on an alert's.
        facts: fields.length > 0 ? knownFacts({ labels: Object.fromEntries(fields.map((f) => [f.name, f.value])) }) : undefined,
      }),
    ];
  },
});
