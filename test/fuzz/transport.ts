/**
 * The request around a payload: header values and names, headers dropped, set, repeated or made huge, content types,
 * and content encodings (gzip, deflate, unknown ones, corrupt data, a body that expands past the limit).
 */
import fc from 'fast-check';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';

const headerChar = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
  .map((code) => String.fromCharCode(code));
/** A header value HTTP can carry (printable Latin-1; no line breaks, which no client sends and API Gateway refuses). */
export const headerValue = fc.string({ unit: headerChar, maxLength: 60 });
const tokenChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_!#$%&*+.^`|~');
/** The headers the relay reads, and made-up names. */
const headerName = fc.oneof(
  fc.constantFrom(
    'content-type',
    'content-encoding',
    'authorization',
    'x-github-event',
    'x-github-delivery',
    'x-hub-signature-256',
    'x-gitlab-event',
    'x-gitlab-token',
    'x-gitlab-event-uuid',
    'idempotency-key',
    'circleci-event-type',
    'circleci-signature',
    'x-amz-sns-message-type',
    'user-agent',
    'x-forwarded-for',
    '__proto__',
    'constructor',
  ),
  fc.string({ unit: tokenChar, minLength: 1, maxLength: 20 }),
);

/** Event names the relay's senders put in their headers, and names they do not. */
const eventName = fc.oneof(
  fc.constantFrom(
    'workflow_run',
    'check_suite',
    'workflow_job',
    'check_run',
    'ping',
    'push',
    'Pipeline Hook',
    'Job Hook',
    'Push Hook',
    'workflow-completed',
    'job-completed',
    'Notification',
    'SubscriptionConfirmation',
    'UnsubscribeConfirmation',
    '__proto__',
    'constructor',
    'toString',
  ),
  headerValue,
);

type HeaderMutation =
  | { readonly op: 'drop'; readonly nth: number }
  | { readonly op: 'set'; readonly name: string; readonly value: string }
  /** A header sent twice, as API Gateway hands it on: the values joined with a comma. */
  | { readonly op: 'repeat'; readonly nth: number }
  | { readonly op: 'huge'; readonly nth: number };

/** None most of the time; else one to three headers dropped, set, repeated or made huge. */
export const headerMutations: fc.Arbitrary<readonly HeaderMutation[]> = fc.oneof(
  { weight: 4, arbitrary: fc.constant([]) },
  {
    weight: 1,
    arbitrary: fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('drop' as const), nth: fc.nat() }),
        fc.record({ op: fc.constant('set' as const), name: headerName, value: fc.oneof(headerValue, eventName) }),
        fc.record({ op: fc.constant('repeat' as const), nth: fc.nat() }),
        fc.record({ op: fc.constant('huge' as const), nth: fc.nat() }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  },
);

/** `headers` with `mutation` applied. */
export function applyHeaderMutation(headers: Record<string, string>, mutation: HeaderMutation): Record<string, string> {
  const names = Object.keys(headers);
  if (mutation.op === 'set') return { ...headers, [mutation.name]: mutation.value };
  if (names.length === 0) return headers;
  const name = names[mutation.nth % names.length]!;
  const value = headers[name]!;
  switch (mutation.op) {
    case 'drop':
      return Object.fromEntries(Object.entries(headers).filter(([other]) => other !== name));
    case 'repeat':
      return { ...headers, [name]: `${value}, ${value}` };
    case 'huge':
      return { ...headers, [name]: `${value}${'x'.repeat(8_000)}` };
  }
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON;charset=UTF-8',
  'application/json;',
  'application/json ; foo="bar;baz"; charset=latin1',
  'text/plain',
  'text/plain; charset=iso-8859-1',
  'TEXT/PLAIN;',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'application/vnd.github+json',
  'application/*',
  '*/*',
  ';',
  '',
];

/** The sidecar's content type (most often), a listed one, any value, or a GitHub form body (`payload=<json>`). */
export const contentTypeChoice: fc.Arbitrary<{ readonly type?: string; readonly form?: true }> = fc.oneof(
  { weight: 40, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES).map((type) => ({ type })) },
  { weight: 1, arbitrary: headerValue.map((type) => ({ type })) },
  { weight: 1, arbitrary: fc.constant({ type: 'application/x-www-form-urlencoded', form: true as const }) },
);

type Coding =
  | { readonly header?: string; readonly body: 'as is' | 'gzip' | 'deflate' | 'raw deflate' | 'gzip twice' | 'deflate then gzip' }
  | { readonly header: string; readonly body: 'cut gzip'; readonly at: number }
  | { readonly header: string; readonly body: 'flipped gzip'; readonly at: number }
  | { readonly header: string; readonly body: 'bomb' };

/** Sent as it is most of the time; else encoded, in an encoding the relay does not take, or corrupt. */
export const coding: fc.Arbitrary<Coding> = fc.oneof(
  { weight: 24, arbitrary: fc.constant({ body: 'as is' as const }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom<Coding>(
      { header: 'identity', body: 'as is' },
      { header: 'gzip', body: 'gzip' },
      { header: 'x-gzip', body: 'gzip' },
      { header: 'GZIP', body: 'gzip' },
      { header: 'gzip, identity', body: 'gzip' },
      { header: 'deflate', body: 'deflate' },
      { header: 'deflate', body: 'raw deflate' },
      { header: 'gzip, gzip', body: 'gzip twice' },
      { header: 'deflate, gzip', body: 'deflate then gzip' },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc
        .constantFrom('br', 'compress', 'zstd', 'gzip;q=1.0', ',', ' ', 'identity, br', 'gzip, br')
        .map((header) => ({ header, body: 'as is' as const })),
      headerValue.map((header) => ({ header, body: 'as is' as const })),
      fc.constantFrom('gzip', 'deflate', 'x-gzip').map((header) => ({ header, body: 'as is' as const })),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.record({ header: fc.constant('gzip'), body: fc.constant('cut gzip' as const), at: fc.nat() }),
      fc.record({ header: fc.constant('gzip'), body: fc.constant('flipped gzip' as const), at: fc.nat() }),
      fc.constant({ header: 'gzip', body: 'bomb' as const }),
    ),
  },
);

/** A small gzip body that expands to 2 MiB, twice the body limit. */
let bomb: Buffer | undefined;

/** `body` as `choice` encodes it (the `content-encoding` header is set apart). */
export function encoded(body: Buffer, choice: Coding): Buffer {
  switch (choice.body) {
    case 'as is':
      return body;
    case 'gzip':
      return gzipSync(body);
    case 'deflate':
      return deflateSync(body);
    case 'raw deflate':
      return deflateRawSync(body);
    case 'gzip twice':
      return gzipSync(gzipSync(body));
    case 'deflate then gzip':
      return gzipSync(deflateSync(body));
    case 'cut gzip': {
      const zipped = gzipSync(body);
      return zipped.subarray(0, choice.at % zipped.length);
    }
    case 'flipped gzip': {
      const zipped = Buffer.from(gzipSync(body));
      zipped[choice.at % zipped.length]! ^= 0x5a;
      return zipped;
    }
    case 'bomb':
      bomb ??= gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20));
      return bomb;
  }
}
