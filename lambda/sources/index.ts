/** The registry: one line per source. */
import { alertmanager } from './alertmanager';
import { circleci } from './circleci';
import { cloudwatch } from './cloudwatch';
import { codebuild } from './codebuild';
import { codepipeline } from './codepipeline';
import { discord } from './discord';
import { generic } from './generic';
import { github } from './github';
import { gitlab } from './gitlab';
import { grafana } from './grafana';
import { jenkins } from './jenkins';
import { s3 } from './s3';
import { slack } from './slack';
import { sns } from './sns';
import { teams } from './teams';
import type { Source } from './source';

// eslint-style `any`: each source has its own payload and settings types; the registry only routes.
// The order is the order `POST /hooks` asks the sources' `detect`: `generic` accepts any text, so it stays last.
export const SOURCES: readonly Source<any, any>[] = [
  alertmanager,
  grafana,
  github,
  gitlab,
  jenkins,
  circleci,
  sns,
  cloudwatch,
  codebuild,
  codepipeline,
  s3,
  slack,
  teams,
  discord,
  generic,
];

/** The source behind a route segment, if any. */
export function findSource(name: string): Source<any, any> | undefined {
  return SOURCES.find((source) => source.name === name);
}
