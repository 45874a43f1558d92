/** The registry: one line per source. */
import { alertmanager } from './alertmanager';
import { cloudwatch } from './cloudwatch';
import { codebuild } from './codebuild';
import { codepipeline } from './codepipeline';
import { generic } from './generic';
import { grafana } from './grafana';
import { sns } from './sns';
import type { Source } from './source';

// eslint-style `any`: each source has its own payload and settings types; the registry only routes.
export const SOURCES: readonly Source<any, any>[] = [alertmanager, grafana, generic, cloudwatch, codebuild, codepipeline, sns];

/** The source behind a route segment, if any. */
export function findSource(name: string): Source<any, any> | undefined {
  return SOURCES.find((source) => source.name === name);
}
