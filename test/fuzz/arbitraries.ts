/**
 * What the fuzz suite sends: real payloads (`corpus.ts`) mutated (`payload-mutations.ts`), with the headers their
 * senders send, signed correctly most of the time (`sender-proofs.ts`), odd headers and encodings (`transport.ts`), on
 * every route; and queue record bodies for deliver and `/events`.
 */
import fc from 'fast-check';
import { findSource } from '../../lambda/sources';
import { seedText, type Seed } from './corpus';
import { Nested, Repeated, toJsonText } from './json-tree';
import { applyByteMutation, applyMutation, byteMutations, mutations, oddValue, type Mutation } from './payload-mutations';
import { proof, schemeOf, SECRET, snsSigned, withProof } from './sender-proofs';
import { applyHeaderMutation, coding, contentTypeChoice, encoded, headerMutations } from './transport';

/** A request as a client sends it; printed briefly when a property fails. */
export class WireRequest {
  constructor(
    readonly method: string,
    /** Path and query. */
    readonly url: string,
    /** Lower-case names. */
    readonly headers: Readonly<Record<string, string>>,
    readonly body: Buffer,
    /** What it was made from: the seed and the changes. */
    readonly origin: string,
  ) {}

  [fc.toStringMethod](): string {
    const headers = Object.entries(this.headers).map(([name, value]) => `${name}: ${value.length > 200 ? `${value.slice(0, 200)}…` : value}`);
    const preview = this.body.subarray(0, 600).toString('latin1');
    const lines = [`${this.method} ${this.url.slice(0, 300)}`, ...headers, `(${this.body.length} bytes) ${JSON.stringify(preview)}`];
    return [...lines, `from ${this.origin}`].join('\n  ');
  }
}

const METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'post'];
const method = fc.oneof({ weight: 20, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) });

/** `/hooks/{source}` most of the time; its channel routes, the auto-detect route, and near misses. */
function hookRoute(source: string): fc.Arbitrary<string> {
  // A chat source takes the secret as the last segment too: the right one, a wrong one, one with odd characters.
  const secretRoutes = findSource(source)?.webhook?.secretInPath
    ? [{ weight: 6, arbitrary: fc.constantFrom(`/hooks/${source}/default/${SECRET}`, `/hooks/${source}/ops/${SECRET}`, `/hooks/${source}/ops/${SECRET}-old`, `/hooks/${source}/ops/%2e%2e`, `/hooks/${source}/${SECRET}`) }]
    : [];
  return fc.oneof(
    ...secretRoutes,
    { weight: 10, arbitrary: fc.constant(`/hooks/${source}`) },
    { weight: 2, arbitrary: fc.constant(`/hooks/${source}/ops`) },
    { weight: 2, arbitrary: fc.constant('/hooks') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `/hooks/${source}/`,
        `/hooks/${source}/nope`,
        `/hooks/${source}/__proto__`,
        `/hooks/${source}/constructor`,
        `/hooks/${source}/toString`,
        `/HOOKS/${source}`,
        `/hooks/${source.toUpperCase()}`,
        `/hooks/${source}?channel=ops`,
        `/hooks/${source}/ops/more`,
        `/hooks/${source}/default/`,
      ),
    },
  );
}

/** The body a seed becomes: its tree mutated and written out (or its text), then its bytes mutated. */
function bodyOf(seed: Seed, treeMutations: readonly Mutation[], signSns: boolean): Buffer {
  if ('text' in seed.body) return Buffer.from(seed.body.text);
  const tree = treeMutations.reduce(applyMutation, seed.body.json);
  return Buffer.from(toJsonText(signSns ? snsSigned(tree) : tree));
}

/** Requests to `POST /hooks/{source}` (and its near routes, or `routes`) made from `seeds` of `source`. */
export function hookRequest(source: string, seeds: readonly Seed[], routes: fc.Arbitrary<string> = hookRoute(source)): fc.Arbitrary<WireRequest> {
  const scheme = schemeOf(source);
  return fc
    .record({
      seed: fc.constantFrom(...seeds),
      treeMutations: mutations,
      bytes: byteMutations,
      proof,
      contentType: contentTypeChoice,
      coding,
      headerMutations,
      method,
      route: routes,
    })
    .map(({ seed, treeMutations, bytes, proof: choice, contentType, coding: codingChoice, headerMutations: changes, method: verb, route }) => {
      const json = bytes.reduce(applyByteMutation, bodyOf(seed, treeMutations, scheme === 'sns' && choice.kind === 'valid'));
      const body = contentType.form ? Buffer.from(`payload=${encodeURIComponent(json.toString('latin1'))}`) : json;
      let headers: Record<string, string> = { ...seed.headers };
      if (contentType.type !== undefined) headers['content-type'] = contentType.type;
      headers = withProof(headers, scheme, body, choice);
      if (codingChoice.header !== undefined) headers['content-encoding'] = codingChoice.header;
      headers = changes.reduce(applyHeaderMutation, headers);
      const origin = [
        seed.name,
        treeMutations.length > 0 ? `mutations ${JSON.stringify(treeMutations, summarised)}` : 'unmutated',
        bytes.length > 0 ? `bytes ${JSON.stringify(bytes, summarised)}` : '',
        `proof ${JSON.stringify(choice)}`,
        contentType.type !== undefined ? `content-type ${JSON.stringify(contentType)}` : '',
        codingChoice.body !== 'as is' || codingChoice.header ? `coding ${JSON.stringify(codingChoice)}` : '',
        changes.length > 0 ? `headers ${JSON.stringify(changes, summarised)}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      return new WireRequest(verb, route, headers, encoded(body, codingChoice), origin);
    });
}

/** Requests whose route is no webhook's: other paths, other methods, any body. */
export function strayRequest(seeds: readonly Seed[]): fc.Arbitrary<WireRequest> {
  const pathChar = fc.constantFrom(...'abcxyzABZ0129/._-~%?#=&:@!$\'()*+,;');
  const path = fc.oneof(
    fc.constantFrom(
      '/',
      '/hook',
      '/hooks/',
      '/hooks//',
      '//hooks/github',
      '/hooks/../hooks/github',
      '/hooks/%2e%2e',
      '/hooks/github%2Fops',
      '/hooks/github/ops/extra/more',
      '/hooks/__proto__',
      '/hooks/constructor',
      '/hooks/toString',
      '/hooks/hasOwnProperty',
      '/hooks/s3',
      '/hooks/cloudwatch',
      '/hooks/codebuild',
      '/hooks/%00',
      '/hooks/%',
      '/stand-in/nothing',
      '/healthz/x',
      '/favicon.ico',
      `/${'a'.repeat(10_000)}`,
      `/hooks/${'g'.repeat(5_000)}`,
    ),
    fc.string({ unit: pathChar, maxLength: 80 }).map((rest) => `/${rest}`),
    fc.string({ unit: pathChar, maxLength: 40 }).map((rest) => `/hooks/${rest}`),
  );
  const body = fc.oneof(
    fc.constantFrom(...seeds).map((seed) => Buffer.from(seedText(seed))),
    fc.uint8Array({ maxLength: 1_024 }).map((bytes) => Buffer.from(bytes)),
    fc.constant(Buffer.alloc(0)),
  );
  return fc
    .record({ method: fc.oneof(fc.constant('POST'), fc.constantFrom(...METHODS)), path, body, headerMutations, proof: fc.boolean() })
    .map(({ method: verb, path: url, body: bytes, headerMutations: changes, proof: withSecret }) => {
      const headers = changes.reduce(applyHeaderMutation, {
        'content-type': 'application/json',
        ...(withSecret ? { authorization: `Bearer ${SECRET}` } : {}),
      });
      return new WireRequest(verb, url, headers, bytes, `stray ${JSON.stringify(changes, summarised)}`);
    });
}

/** The headers of a request to a local-only route (`/events`, `/dead-letters`): the inbound secret, or not, and a type. */
export const localRouteHeaders: fc.Arbitrary<Readonly<Record<string, string>>> = fc
  .record({ proof, contentType: contentTypeChoice, headerMutations })
  .map(({ proof: choice, contentType, headerMutations: changes }) =>
    changes.reduce(applyHeaderMutation, withProof({ 'content-type': contentType.type ?? 'application/json' }, 'shared', Buffer.alloc(0), choice)),
  );

/** A queue record's body (or an `/events` body); printed briefly when a property fails. */
export class RecordBody {
  constructor(
    readonly body: string,
    readonly origin: string,
  ) {}

  [fc.toStringMethod](): string {
    return `(${this.body.length} chars) ${JSON.stringify(this.body.slice(0, 600))}\n  from ${this.origin}`;
  }
}

/** As the record is (most often), or put into one more envelope. */
const envelope = fc.oneof(
  { weight: 6, arbitrary: fc.constant('none' as const) },
  { weight: 2, arbitrary: fc.constantFrom('sqs' as const, 'sns' as const) },
  { weight: 1, arbitrary: fc.constant('eventbridge' as const) },
);

/** Records bodies for deliver, and `/events` bodies: AWS events and queued notifications, mutated, and odd shapes. */
export function recordBody(seeds: readonly Seed[]): fc.Arbitrary<RecordBody> {
  const mutated = fc.record({ seed: fc.constantFrom(...seeds), treeMutations: mutations, wrap: envelope }).map(({ seed, treeMutations, wrap }) => {
    const text = 'text' in seed.body ? seed.body.text : toJsonText(treeMutations.reduce(applyMutation, seed.body.json));
    return new RecordBody(wrapped(text, wrap), `${seed.name}; wrapped ${wrap}; mutations ${JSON.stringify(treeMutations, summarised)}`);
  });
  const odd = fc.oneof(
    fc.constantFrom(
      'null',
      '{"Records":[null]}',
      '{"Records":[]}',
      '{"Records":null}',
      '[]',
      '[null]',
      '""',
      '0',
      'true',
      'not json',
      '',
      '{',
      '{"v":1}',
      '{"Type":"Notification"}',
    ),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
    oddValue.map(toJsonText),
  );
  return fc.oneof({ weight: 6, arbitrary: mutated }, { weight: 1, arbitrary: odd.map((body) => new RecordBody(body, 'odd')) });
}

/** `text` as the queue may carry it: as it is, as an SQS record's body, an SNS notification's message, an EventBridge detail. */
function wrapped(text: string, wrap: 'none' | 'sqs' | 'sns' | 'eventbridge'): string {
  switch (wrap) {
    case 'none':
      return text;
    case 'sqs':
      return JSON.stringify({ Records: [{ messageId: 'fuzz-1', eventSource: 'aws:sqs', body: text }] });
    case 'sns':
      return JSON.stringify({
        Type: 'Notification',
        MessageId: 'fuzz-1',
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:fuzz',
        Message: text,
        Timestamp: '2024-05-01T10:00:00.000Z',
      });
    case 'eventbridge': {
      // The detail as text, which may not be JSON: the envelope is written around it.
      const envelope = {
        version: '0',
        id: 'fuzz-1',
        'detail-type': 'Object Created',
        source: 'aws.s3',
        account: '123456789012',
        time: '2024-05-01T10:00:00Z',
        region: 'eu-west-1',
        resources: [],
      };
      return `${JSON.stringify(envelope).slice(0, -1)},"detail":${text}}`;
    }
  }
}

/** For JSON.stringify of a case's description: long strings and byte arrays shortened. */
function summarised(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.length > 80) return `${value.slice(0, 80)}…(${value.length} chars)`;
  if (value instanceof Uint8Array) return `(${value.length} random bytes)`;
  if (value instanceof Repeated) return `(${value.unit} × ${value.count})`;
  if (value instanceof Nested) return `(${value.kind} nested ${value.depth} deep)`;
  return value;
}
