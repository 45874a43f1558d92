/**
 * The message of a build result, shared by the CI sources (GitHub, GitLab, Jenkins, CircleCI) so that a reader finds
 * the same facts under the same names, in the same order, whichever system ran the build. Not a source itself.
 */
import { chatMessage, linkIf, type ChatMessage, type Field, type Item, type Link, type Status } from '../model/message';
import { knownFacts } from '../model/facts';
import { leadingChars } from '../runtime/text';

/** What a CI sender tells about one run of a workflow, pipeline or job. */
export interface BuildResult {
  readonly source: string;
  readonly status: Status;
  /** The sender's own word for the result, where it says more than `status` (see `senderStatusOf`). */
  readonly senderStatus?: string;
  /** The workflow, pipeline or job name. */
  readonly title: string;
  /** One sentence: the commit title, or what the sender says about the result. */
  readonly summary?: string;
  readonly repository?: string;
  /** The branch, or the tag when `tag` is set. */
  readonly ref?: string;
  readonly tag?: boolean;
  /** The full commit SHA; shown short. */
  readonly commit?: string;
  /** Who pushed or started it. */
  readonly actor?: string;
  /** The job or project, where the sender has one apart from the repository (a Jenkins job). */
  readonly project?: string;
  readonly duration?: string;
  /** The sender's own facts, shown after the common ones. */
  readonly fields?: readonly Field[];
  readonly links?: readonly Link[];
  /** Parts with a status of their own, e.g. the failed jobs of a pipeline. */
  readonly items?: readonly Item[];
}

/** As `git log --oneline` shows it: enough to find the commit, short enough for a phone. */
const SHORT_SHA_LENGTH = 7;

/** The message for one build result: the common fields first (those the sender gave), then the sender's own. */
export function buildResultMessage(result: BuildResult): ChatMessage {
  const common: ReadonlyArray<readonly [string, string | undefined]> = [
    ['Repository', result.repository],
    [result.tag ? 'Tag' : 'Branch', result.ref],
    ['Commit', result.commit && leadingChars(result.commit, SHORT_SHA_LENGTH)],
    ['Actor', result.actor],
    ['Duration', result.duration],
  ];
  return chatMessage({
    source: result.source,
    status: result.status,
    senderStatus: result.senderStatus,
    title: result.title,
    summary: result.summary,
    fields: [
      ...common.flatMap(([name, value]) => (value ? [{ name, value }] : [])),
      ...(result.fields ?? []),
    ],
    links: [...(result.links ?? [])],
    items: [...(result.items ?? [])],
    facts: knownFacts({
      repository: result.repository,
      branch: result.tag ? undefined : result.ref,
      project: result.project,
      committer: result.actor,
    }),
  });
}

/** The first line of a commit message: its title. */
export function commitTitle(message: string | null | undefined): string | undefined {
  return message?.trim().split(/\r?\n/, 1)[0]?.trim() || undefined;
}

/**
 * A `Commit` link to a commit's page under a repository's web address. GitHub, GitLab and Gitea serve
 * `<repository>/commit/<sha>`; Bitbucket serves `<repository>/commits/<sha>`.
 */
export function commitLink(
  repositoryUrl: string | null | undefined,
  sha: string | null | undefined,
  path: 'commit' | 'commits' = 'commit',
): Link[] {
  if (!repositoryUrl || !sha) return [];
  return linkIf('Commit', `${repositoryUrl.replace(/\/+$/, '').replace(/\.git$/, '')}/${path}/${sha}`);
}
