/**
 * How each webhook source proves its sender, and the proofs the suite sends: valid (in each of its forms) most of the
 * time, so that the payload behind the check is reached, else missing, wrong or malformed. SNS messages are signed
 * again by the suite's signer, whose certificate the SNS hosts of `sns-network.ts` serve.
 */
import fc from 'fast-check';
import { hmacSha256Hex } from '../../lambda/security/hmac';
import type { SignedSnsMessage } from '../../lambda/security/sns-signature';
import { Entries, lastEntry, withEntry, type Tree } from './json-tree';
import { snsSigner } from './sns-network';
import { headerValue } from './transport';

/** The inbound secret of the relays and handlers under test. */
export const SECRET = 'fuzz-inbound-secret';

/** How each webhook source proves its sender. A source missing here fails the suite until its scheme is added. */
type Scheme = 'shared' | 'github' | 'gitlab' | 'circleci' | 'sns';
const SCHEMES: Readonly<Record<string, Scheme>> = {
  alertmanager: 'shared',
  grafana: 'shared',
  jenkins: 'shared',
  generic: 'shared',
  // They take the secret in the path too: `hookRoute` sends it there as well.
  slack: 'shared',
  teams: 'shared',
  discord: 'shared',
  github: 'github',
  gitlab: 'gitlab',
  circleci: 'circleci',
  sns: 'sns',
};

/** The scheme of a webhook source; throws for a source the suite does not know yet. */
export function schemeOf(source: string): Scheme {
  const scheme = SCHEMES[source];
  if (!scheme) throw new Error(`the fuzz suite does not know how the webhook source "${source}" proves its sender`);
  return scheme;
}

const PROOF_HEADER: Readonly<Record<Scheme, string>> = {
  shared: 'authorization',
  sns: 'authorization',
  github: 'x-hub-signature-256',
  gitlab: 'x-gitlab-token',
  circleci: 'circleci-signature',
};

const base64 = (text: string): string => Buffer.from(text).toString('base64');

/** Proof values that are malformed in every scheme's terms. */
const ODD_PROOFS = [
  '',
  ' ',
  'Bearer',
  'Bearer ',
  'Basic',
  'Basic !!!',
  `Basic ${base64('no colon')}`,
  `Basic ${base64(':')}`,
  'Digest username="relay"',
  `Bearer ${SECRET} extra`,
  `bearer\t${SECRET}`,
  SECRET,
  'sha256=',
  'sha256=zz',
  `sha1=${'a'.repeat(40)}`,
  `sha256=${'A'.repeat(64)}`,
  'v1=',
  'v2=abc,v1=',
  ',,,',
  '=',
  `v1=${'f'.repeat(64)},v1=zz`,
  `Bearer ${'x'.repeat(8_000)}`,
  'Bearer \u00e9\u00ff',
];

/** Valid (in any of its forms) most of the time, so the payload is checked; else missing, wrong or malformed. */
export type Proof =
  | { readonly kind: 'valid'; readonly form: 'bearer' | 'basic' | 'basic-any-user' | 'lower-case scheme' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'wrong' }
  /** The fixture's own headers: signatures made with another secret, or none. */
  | { readonly kind: 'as captured' }
  | { readonly kind: 'odd'; readonly value: string };

/** The proof a request carries: valid about five times in six. */
export const proof: fc.Arbitrary<Proof> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc
      .constantFrom('bearer' as const, 'basic' as const, 'basic-any-user' as const, 'lower-case scheme' as const)
      .map((form) => ({ kind: 'valid' as const, form })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'wrong' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'as captured' as const }) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...ODD_PROOFS), headerValue).map((value) => ({ kind: 'odd' as const, value })) },
);

function sharedSecretHeader(secret: string, form: Extract<Proof, { kind: 'valid' }>['form']): string {
  switch (form) {
    case 'bearer':
      return `Bearer ${secret}`;
    case 'basic':
      return `Basic ${base64(`sns:${secret}`)}`;
    case 'basic-any-user':
      return `Basic ${base64(`relay-user:${secret}`).replace(/=+$/, '')}`;
    case 'lower-case scheme':
      return `bearer ${secret}`;
  }
}

/** The proof header a sender with `secret` sends for `body` (the decoded bytes: signatures are over those). */
function proofValue(scheme: Scheme, secret: string, body: Buffer, form: Extract<Proof, { kind: 'valid' }>['form']): string {
  switch (scheme) {
    case 'shared':
      return sharedSecretHeader(secret, form);
    case 'sns':
      // SNS sends the subscription URL's credentials as Basic once challenged.
      return `Basic ${base64(`sns:${secret}`)}`;
    case 'github':
      return `sha256=${hmacSha256Hex(secret, body)}`;
    case 'gitlab':
      return secret;
    case 'circleci':
      return form === 'basic' ? `v2=${'0'.repeat(64)},v1=${hmacSha256Hex(secret, body)}` : `v1=${hmacSha256Hex(secret, body)}`;
  }
}

/** `headers` with the proof `choice` of `scheme` for `body`, in place of any proof they had. */
export function withProof(headers: Record<string, string>, scheme: Scheme, body: Buffer, choice: Proof): Record<string, string> {
  const name = PROOF_HEADER[scheme];
  const { [name]: _captured, ...others } = headers;
  switch (choice.kind) {
    case 'as captured':
      return headers;
    case 'missing':
      return others;
    case 'wrong':
      return { ...others, [name]: proofValue(scheme, `${SECRET}-old`, body, 'bearer') };
    case 'odd':
      return { ...others, [name]: choice.value };
    case 'valid':
      return { ...others, [name]: proofValue(scheme, SECRET, body, choice.form) };
  }
}

/** The fields SNS signs, as JSON.parse will read them: strings, or the message is left with its old signature. */
const SNS_SIGNED = ['Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'SubscribeURL', 'Token', 'SignatureVersion'] as const;

/** An SNS message signed again by the suite's signer (whose certificate SNS hosts serve), when it can be. */
export function snsSigned(tree: Tree): Tree {
  if (!(tree instanceof Entries)) return tree;
  const fields: Record<string, string> = {};
  for (const field of SNS_SIGNED) {
    const value = lastEntry(tree, field);
    if (typeof value === 'string') fields[field] = value;
    else if (value !== undefined && value !== null) return tree;
  }
  const version = fields.SignatureVersion;
  if ((version !== '1' && version !== '2') || !['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'].includes(fields.Type ?? '')) {
    return tree;
  }
  return withEntry(tree, 'Signature', snsSigner().sign(fields as unknown as SignedSnsMessage, version));
}
