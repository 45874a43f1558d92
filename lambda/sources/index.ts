/** The registry: one line per source. */
import { alertmanager } from './alertmanager';
import { generic } from './generic';
import { grafana } from './grafana';
import { s3 } from './s3';
import type { Source } from './source';

// eslint-style `any`: each source has its own payload and settings types; the registry only routes.
export const SOURCES: readonly Source<any, any>[] = [alertmanager, grafana, generic, s3];

/** The source behind a route segment, if any. */
export function findSource(name: string): Source<any, any> | undefined {
  return SOURCES.find((source) => source.name === name);
}
