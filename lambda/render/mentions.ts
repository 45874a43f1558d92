/**
 * The team's mentions (`MENTIONS`, the team config's `mentions`): which Spaces users or groups a message calls on.
 * Rules match messages as routes do (`routing/match.ts`) and name targets the team config lists; a rule may also
 * mention the committer of a build, through the team's map from the sender's login to a target. A mention comes only
 * from the team config: no payload value can make one (an unmapped committer mentions nobody), and the renderer
 * writes the tags (`body-text.ts`), escaping every attribute.
 */
import * as v from 'valibot';
import type { ChatMessage } from '../model/message';
import { compileMatch, knownKeys, MatchSchema, type MessageTest } from '../routing/match';
import { issuePathOf } from '../runtime/validate';

/** One message calls on at most this many: more is a broadcast, which a space's own @-all does better. */
export const MAX_MENTIONS = 10;

const Name = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a name of letters, digits, . _ - (at most 64)'));

/** A Spaces user or group to call on. */
const TargetSchema = knownKeys({
  /** Its Spaces id: as the Spaces API names the user or group. */
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'must be a Spaces id: letters, digits, _ . : @ - (at most 128)')),
  /** Shown in the message (`@name`). */
  name: v.pipe(v.string(), v.nonEmpty('must not be empty'), v.maxLength(100, 'must be at most 100 characters')),
  /** The mention's `type` attribute: `user` (the default) or `group`. */
  type: v.optional(v.picklist(['user', 'group'], 'must be "user" or "group"'), 'user'),
});
export type MentionTarget = v.InferOutput<typeof TargetSchema>;

const RuleSchema = v.pipe(
  knownKeys({
    match: MatchSchema,
    /** Targets by their name in `targets`. */
    mention: v.optional(v.pipe(v.array(Name), v.nonEmpty('must name at least one target'))),
    /** Also the committer of a build, when `committers` maps them. */
    mentionCommitter: v.optional(v.literal(true, 'must be true (leave it out otherwise)')),
  }),
  v.check((rule) => rule.mention !== undefined || rule.mentionCommitter !== undefined, 'needs "mention" or "mentionCommitter": true'),
);

export const MentionsSchema = v.pipe(
  knownKeys({
    targets: v.record(Name, TargetSchema),
    /** The sender's name for a committer (a GitHub or GitLab login, CircleCI's author) → a name in `targets`. */
    committers: v.optional(v.record(v.pipe(v.string(), v.nonEmpty('must not be empty')), Name), {}),
    rules: v.array(RuleSchema),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const { targets, committers, rules } = dataset.value;
    const known = `is not one of the targets (${Object.keys(targets).join(', ') || 'none'})`;
    const unknown = (name: string) => !Object.hasOwn(targets, name);
    rules.forEach((rule, index) =>
      rule.mention?.forEach((name, at) => {
        if (unknown(name)) addIssue({ message: `"${name}" ${known}`, path: issuePathOf(dataset.value, 'rules', index, 'mention', at) });
      }),
    );
    for (const [login, name] of Object.entries(committers)) {
      if (unknown(name)) addIssue({ message: `"${name}" ${known}`, path: issuePathOf(dataset.value, 'committers', login) });
    }
  }),
);
export type Mentions = v.InferOutput<typeof MentionsSchema>;

/** Picks the targets a message calls on, in rule order, each once, at most `MAX_MENTIONS`. */
export type MentionPicker = (message: ChatMessage) => readonly MentionTarget[];

/** No mentions: what a team without `mentions` has. */
export const NO_MENTIONS: MentionPicker = () => [];

/** Compiles the mentions once, at start-up. */
export function compileMentions(mentions: Mentions | undefined): MentionPicker {
  if (!mentions) return NO_MENTIONS;
  const rules: { matches: MessageTest; names: readonly string[]; committer: boolean }[] = mentions.rules.map((rule) => ({
    matches: compileMatch(rule.match),
    names: rule.mention ?? [],
    committer: rule.mentionCommitter === true,
  }));
  return (message) => {
    const names = new Set<string>();
    for (const rule of rules) {
      if (!rule.matches(message)) continue;
      for (const name of rule.names) names.add(name);
      const committer = message.facts?.committer;
      // Only through the team's map: an unknown login, or one that names a prototype member, mentions nobody.
      if (rule.committer && committer !== undefined && Object.hasOwn(mentions.committers, committer)) names.add(mentions.committers[committer]!);
    }
    return [...names].slice(0, MAX_MENTIONS).map((name) => mentions.targets[name]!);
  };
}
