/**
 * Mutations of a payload: its JSON as a tree (a field's value replaced by one of another type, an edge value, a value
 * of another field, huge, deep or hostile; fields removed, repeated, retyped; keys that mean something to JavaScript
 * added; the JSON inside a string mutated in turn), and its bytes (invalid UTF-8, cut, flipped, random).
 */
import fc from 'fast-check';
import { awsEventSeeds, seedsBySource } from './corpus';
import {
  Entries,
  Nested,
  NumberText,
  Repeated,
  REMOVE,
  TWICE,
  editAt,
  locations,
  nodeAt,
  toJsonText,
  toTree,
  type Location,
  type Tree,
} from './json-tree';

/** Keys that mean something to JavaScript objects: a payload that carries them must stay plain data. */
const KEYS_THAT_BITE = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'toJSON', 'then', 'length', '', '0'];

/** A string of a few KB up to past the 1 MiB body limit, of one repeated unit (cheap to make, any size). */
const hugeString: fc.Arbitrary<Tree> = fc
  .record({
    unit: fc.constantFrom('x', 'é', '🔥', '\u0000', '<b>&amp;</b>', '\ud800', '"\\', '\u202e', ' '),
    chars: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1_000, max: 70_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 200_000, max: 1_100_000 }) },
    ),
  })
  .map(({ unit, chars }) => new Repeated(unit, Math.ceil(chars / unit.length)));

/** Nesting around the shape limit (64), and far past it, where recursive code overflows the stack. */
const deepNesting: fc.Arbitrary<Tree> = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 60, max: 70 }), fc.integer({ min: 1_000, max: 20_000 })),
    kind: fc.constantFrom('array' as const, 'object' as const),
    leaf: fc.constantFrom<Tree>(null, 1, 'x', [], new Entries([])),
  })
  .map(({ depth, kind, leaf }) => new Nested(depth, kind, leaf));

/** Objects whose keys are properties of every object. */
const protoObject: fc.Arbitrary<Tree> = fc.constantFrom(
  new Entries([['__proto__', new Entries([['polluted', 'yes']])]]),
  new Entries([['constructor', new Entries([['prototype', new Entries([['polluted', 'yes']])]])]]),
  new Entries([
    ['toString', 'not a function'],
    ['valueOf', 1],
    ['hasOwnProperty', null],
  ]),
);

/**
 * Short strings and numbers of every seed, and the words the sources switch on: a value from elsewhere in the corpus
 * turns one payload into a rarer one (a Jenkins build in its FINALIZED phase, a GitHub run in progress).
 */
const dictionary: fc.Arbitrary<Tree> = fc.constantFrom(
  ...new Set<Tree>([
    ...[...seedsBySource().values()].flat(),
    ...awsEventSeeds(),
  ].flatMap((seed) => ('json' in seed.body ? scalarsOf(seed.body.json) : []))),
  'FINALIZED',
  'STARTED',
  'in_progress',
  'completed',
  'firing',
  'resolved',
);

function scalarsOf(tree: Tree): Tree[] {
  return locations(tree)
    .map((at) => nodeAt(tree, at))
    .filter((node) => typeof node === 'number' || (typeof node === 'string' && node.length <= 40));
}

/**
 * Any value a field may turn into: a value of another field, another type, edge numbers and strings, huge, deep,
 * hostile, JSON inside a string.
 */
export const oddValue: fc.Arbitrary<Tree> = fc.oneof(
  { weight: 4, arbitrary: dictionary },
  {
    weight: 4,
    arbitrary: fc.constantFrom<Tree>(null, true, false, 0, -1, 1.5, 2 ** 53 + 2, '', ' ', 'null', '0', 'true', [], new Entries([]), [null]),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('1e400', '-1e400', '-0', '123456789012345678901234567890', '5e-324', '1E+2').map((text) => new NumberText(text)),
  },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: protoObject },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }).map(toTree) },
  { weight: 1, arbitrary: fc.oneof(deepNesting, protoObject, fc.jsonValue({ maxDepth: 2 }).map(toTree)).map(toJsonText) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'https://evil.example/x',
      'javascript:alert(1)',
      'http://169.254.169.254/latest/meta-data/',
      's3://bucket/key',
      'https://bucket.s3.amazonaws.com/../../etc/passwd',
      'file:///etc/passwd',
      '<img src=x onerror=alert(1)>',
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '2024-02-30T25:61:61Z',
    ),
  },
);

type Retype = 'null' | 'number' | 'string' | 'boolean' | 'array' | 'object';

/** One change to a tree; `at` picks the node (modulo the candidates), so every mutation applies to any tree. */
export type Mutation =
  | { readonly op: 'replace'; readonly at: number; readonly value: Tree }
  | { readonly op: 'remove'; readonly at: number }
  | { readonly op: 'twice'; readonly at: number }
  | { readonly op: 'retype'; readonly at: number; readonly to: Retype }
  /** A key added to an object: a hostile one, or (`key` a number) one of its own keys again, with another value. */
  | { readonly op: 'addKey'; readonly at: number; readonly key: string | number; readonly value: Tree; readonly first: boolean }
  /** The JSON held in a string (an SNS `Message`, an SQS `body`, a CloudWatch `reasonData`) mutated in turn. */
  | { readonly op: 'inner'; readonly at: number; readonly mutations: readonly Mutation[] };

function retyped(node: Tree, to: Retype): Tree {
  switch (to) {
    case 'null':
      return null;
    case 'boolean':
      return !node;
    case 'number':
      return typeof node === 'string' ? Number(node) || node.length : 1;
    case 'string':
      return typeof node === 'string' ? `${node}${node}` : toJsonText(node);
    case 'array':
      return node instanceof Entries ? node.entries.map(([, value]) => value) : Array.isArray(node) ? [...node, ...node] : [node];
    case 'object':
      return Array.isArray(node) ? new Entries(node.map((value, index) => [String(index), value] as const)) : new Entries([['value', node]]);
  }
}

/** A string holding a JSON object or array that is small enough to mutate as a tree (deep nesting is made, not mutated). */
function holdsJson(node: Tree): node is string {
  if (typeof node !== 'string' || !/^\s*[[{]/.test(node) || node.length > 100_000) return false;
  if ((node.match(/[[{]/g)?.length ?? 0) > 1_000) return false;
  try {
    JSON.parse(node);
    return true;
  } catch {
    return false;
  }
}

const pick = (candidates: readonly Location[], at: number): Location => candidates[at % candidates.length]!;

/** `tree` with `mutation` applied; a mutation without a node to apply to leaves it as it is. */
export function applyMutation(tree: Tree, mutation: Mutation): Tree {
  const all = locations(tree);
  switch (mutation.op) {
    case 'replace':
      return editAt(tree, pick(all, mutation.at), () => mutation.value);
    case 'remove':
      return editAt(tree, pick(all, mutation.at), () => REMOVE);
    case 'twice':
      return editAt(tree, pick(all, mutation.at), () => TWICE);
    case 'retype':
      return editAt(tree, pick(all, mutation.at), (node) => retyped(node, mutation.to));
    case 'addKey': {
      const objects = all.filter((at) => nodeAt(tree, at) instanceof Entries);
      if (objects.length === 0) return tree;
      return editAt(tree, pick(objects, mutation.at), (node) => {
        const { entries } = node as Entries;
        const key = typeof mutation.key === 'string' ? mutation.key : (entries[mutation.key % Math.max(1, entries.length)]?.[0] ?? '__proto__');
        const added = [key, mutation.value] as const;
        return new Entries(mutation.first ? [added, ...entries] : [...entries, added]);
      });
    }
    case 'inner': {
      const holders = all.filter((at) => holdsJson(nodeAt(tree, at)));
      if (holders.length === 0) return tree;
      return editAt(tree, pick(holders, mutation.at), (node) =>
        toJsonText(mutation.mutations.reduce(applyMutation, toTree(JSON.parse(node as string)))),
      );
    }
  }
}

const at = fc.nat();
const flatMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('replace' as const), at, value: oddValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), at }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('twice' as const), at }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('retype' as const),
      at,
      to: fc.constantFrom<Retype>('null', 'number', 'string', 'boolean', 'array', 'object'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('addKey' as const),
      at,
      key: fc.oneof(fc.constantFrom(...KEYS_THAT_BITE), fc.nat(), fc.string({ maxLength: 8 })),
      value: oddValue,
      first: fc.boolean(),
    }),
  },
);

/** One to four mutations; a tree unchanged now and then, so the real payload is sent too. */
export const mutations: fc.Arbitrary<readonly Mutation[]> = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: flatMutation },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('inner' as const), at, mutations: fc.array(flatMutation, { minLength: 1, maxLength: 3 }) }) },
  ),
  { minLength: 0, maxLength: 4 },
);

/** Byte sequences that are not UTF-8: a stray continuation, overlong forms, an encoded surrogate, past U+10FFFF, cut. */
const INVALID_UTF8 = [[0xff], [0x80], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x00], [0xfe, 0xfe]];

/** One change to the bytes of a body; `at` is taken modulo the length. */
export type ByteMutation =
  | { readonly op: 'insert'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'flip'; readonly at: number; readonly xor: number }
  | { readonly op: 'bom' }
  | { readonly op: 'random'; readonly bytes: Uint8Array };

/** `body` with `mutation` applied. */
export function applyByteMutation(body: Buffer, mutation: ByteMutation): Buffer {
  const position = 'at' in mutation ? mutation.at % (body.length + 1) : 0;
  switch (mutation.op) {
    case 'insert':
      return Buffer.concat([body.subarray(0, position), Buffer.from(mutation.bytes), body.subarray(position)]);
    case 'truncate':
      return body.subarray(0, position);
    case 'flip': {
      if (body.length === 0) return body;
      const flipped = Buffer.from(body);
      flipped[position % body.length]! ^= mutation.xor;
      return flipped;
    }
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
    case 'random':
      return Buffer.from(mutation.bytes);
  }
}

/** None most of the time; else invalid UTF-8, a cut, a flipped byte, a byte-order mark, or random bytes. */
export const byteMutations: fc.Arbitrary<readonly ByteMutation[]> = fc.oneof(
  { weight: 12, arbitrary: fc.constant([]) },
  {
    weight: 2,
    arbitrary: fc.array(
      fc.oneof(
        fc.record({
          op: fc.constant('insert' as const),
          at,
          bytes: fc.oneof(fc.constantFrom(...INVALID_UTF8), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 })),
        }),
        fc.record({ op: fc.constant('truncate' as const), at }),
        fc.record({ op: fc.constant('flip' as const), at, xor: fc.integer({ min: 1, max: 255 }) }),
        fc.constant({ op: 'bom' as const }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2_048 }).map((bytes) => [{ op: 'random' as const, bytes }]) },
);
