/** The registry: one line per source. */
import { alertmanager } from './alertmanager';
import { generic } from './generic';
import { grafana } from './grafana';
import type { Source } from './source';

export const SOURCES: readonly Source<any>[] = [alertmanager, grafana, generic];

/** The source behind a route segment, if any. */
export function findSource(name: string): Source<unknown> | undefined {
  return SOURCES.find((source) => source.name === name);
}
