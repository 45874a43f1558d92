/**
 * Local templates: `npm start` takes them as the functions do, in `TEMPLATES` (JSON), or from a file named by
 * `TEMPLATES_FILE`, easier to edit: the `templates` object of a team config, as JSON without comments.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../runtime/errors';

/** The `TEMPLATES` text of the local environment: the variable, or the content of `TEMPLATES_FILE`. */
export function localTemplates(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const file = env.TEMPLATES_FILE;
  if (file === undefined || file === '') return env.TEMPLATES;
  if (env.TEMPLATES !== undefined) {
    throw new ConfigError('TEMPLATES_FILE: set TEMPLATES or TEMPLATES_FILE, not both', [
      { field: 'TEMPLATES_FILE', problem: 'set TEMPLATES or TEMPLATES_FILE, not both' },
    ]);
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const problem = `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    throw new ConfigError(`TEMPLATES_FILE: ${problem}`, [{ field: 'TEMPLATES_FILE', problem }]);
  }
}

/** `error`, saying which file `TEMPLATES` came from when one of its problems is there. */
export function namingTemplatesFile(error: unknown, env: Readonly<Record<string, string | undefined>>): unknown {
  const file = env.TEMPLATES_FILE;
  if (!file || !(error instanceof ConfigError) || !error.problems.some((p) => p.field.startsWith('TEMPLATES'))) return error;
  return new ConfigError(`${error.message}\n  (TEMPLATES is the content of ${file})`, error.problems);
}
