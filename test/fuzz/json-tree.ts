/**
 * JSON as a tree that can also hold what `JSON.stringify` cannot write: repeated keys, own `__proto__` keys, number
 * literals past a double, and values too deep or too long to build as objects (written out as text only). The fuzz
 * arbitraries mutate fixtures as trees and send their text.
 */

/** An object as JSON text writes it: its entries in order, a key possibly more than once. */
export class Entries {
  constructor(readonly entries: readonly (readonly [string, Tree])[]) {}
}

/** A number literal written as it is (`1e400`, `-0`, 30 digits). */
export class NumberText {
  constructor(readonly text: string) {}
}

/** `depth` levels of arrays (`[[[…]]]`) or objects (`{"a":{"a":…}}`) around `leaf`. */
export class Nested {
  constructor(
    readonly depth: number,
    readonly kind: 'array' | 'object',
    readonly leaf: Tree,
  ) {}
}

/** A string of `unit` repeated `count` times. */
export class Repeated {
  constructor(
    readonly unit: string,
    readonly count: number,
  ) {}
}

/** A JSON value, or one of the forms above. */
export type Tree = null | boolean | number | string | NumberText | Nested | Repeated | Entries | Tree[];

/** A JSON value as a tree; `undefined` is left out of objects and is `null` in arrays, as `JSON.stringify` has it. */
export function toTree(value: unknown): Tree {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : toTree(item)));
  if (value && typeof value === 'object') {
    return new Entries(
      Object.entries(value)
        .filter(([, entry]) => entry !== undefined)
        .map(([key, entry]) => [key, toTree(entry)] as const),
    );
  }
  return value as Tree;
}

/** The JSON text of `tree`. Strings are escaped as `JSON.stringify` does (lone surrogates as `\ud800`). */
export function toJsonText(tree: Tree): string {
  if (tree instanceof Entries) return `{${tree.entries.map(([key, value]) => `${JSON.stringify(key)}:${toJsonText(value)}`).join(',')}}`;
  if (Array.isArray(tree)) return `[${tree.map(toJsonText).join(',')}]`;
  if (tree instanceof NumberText) return tree.text;
  if (tree instanceof Repeated) return `"${JSON.stringify(tree.unit).slice(1, -1).repeat(tree.count)}"`;
  if (tree instanceof Nested) {
    const [open, close] = tree.kind === 'array' ? ['[', ']'] : ['{"a":', '}'];
    return `${open.repeat(tree.depth)}${toJsonText(tree.leaf)}${close.repeat(tree.depth)}`;
  }
  return JSON.stringify(tree);
}

/** The value `JSON.parse` would give for `key` of an object tree: the last entry wins. */
export function lastEntry(tree: Tree, key: string): Tree | undefined {
  if (!(tree instanceof Entries)) return undefined;
  return tree.entries.findLast(([name]) => name === key)?.[1];
}

/** `tree` with `key` set (every earlier entry of it removed, the new one last). */
export function withEntry(tree: Entries, key: string, value: Tree): Entries {
  return new Entries([...tree.entries.filter(([name]) => name !== key), [key, value]]);
}

/** Where a node is: the child indices from the root (an object's entry index, an array's item index). */
export type Location = readonly number[];

function children(tree: Tree): Tree[] {
  if (tree instanceof Entries) return tree.entries.map(([, value]) => value);
  return Array.isArray(tree) ? tree : [];
}

/** Every node's location, the root first, depth-first. */
export function locations(tree: Tree): Location[] {
  const found: Location[] = [];
  const visit = (node: Tree, at: Location): void => {
    found.push(at);
    children(node).forEach((child, index) => visit(child, [...at, index]));
  };
  visit(tree, []);
  return found;
}

/** The node at `at`. */
export function nodeAt(tree: Tree, at: Location): Tree {
  return at.reduce<Tree>((node, index) => children(node)[index]!, tree);
}

/** Returned by an edit to take the node out of its parent. */
export const REMOVE = Symbol('remove');
/** Returned by an edit to put the node twice in its parent (an array item twice, an object key twice). */
export const TWICE = Symbol('twice');
type Edit = (node: Tree) => Tree | typeof REMOVE | typeof TWICE;

/** `tree` with the node at `at` edited; removing or doubling the root leaves it as it is. */
export function editAt(tree: Tree, at: Location, edit: Edit): Tree {
  if (at.length === 0) {
    const edited = edit(tree);
    return typeof edited === 'symbol' ? tree : edited;
  }
  const [index, ...rest] = at as [number, ...number[]];
  const editChild = <T>(items: readonly T[], valueOf: (item: T) => Tree, rebuild: (item: T, value: Tree) => T): T[] =>
    items.flatMap((item, i) => {
      if (i !== index) return [item];
      if (rest.length > 0) return [rebuild(item, editAt(valueOf(item), rest, edit))];
      const edited = edit(valueOf(item));
      if (edited === REMOVE) return [];
      if (edited === TWICE) return [item, item];
      return [rebuild(item, edited)];
    });
  if (tree instanceof Entries) {
    return new Entries(editChild(tree.entries, ([, value]) => value, ([key], value) => [key, value] as const));
  }
  if (Array.isArray(tree)) return editChild(tree, (item) => item, (_item, value) => value);
  return tree;
}
