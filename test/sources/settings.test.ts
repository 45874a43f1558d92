import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { SOURCES } from '../../lambda/sources';
import { checkSourceSettings } from '../../lambda/sources/settings';

const DOCS = join(__dirname, '..', '..', 'docs');
const configurable = SOURCES.filter((source) => source.settings);

/** The settings a source's schema knows, with their defaults. */
const defaultsOf = (name: string): Record<string, unknown> =>
  v.parse(configurable.find((source) => source.name === name)!.settings!, {}) as Record<string, unknown>;

describe('source settings', () => {
  it.each(configurable.map((source) => [source.name]))(
    'of %s are strict: a setting the source does not know is refused, with the ones it knows',
    (name) => {
      // Prepare
      const known = Object.keys(defaultsOf(name));

      // Act
      const checked = checkSourceSettings({ [name]: { notASetting: true } });

      // Assess: a non-strict schema would drop the unknown key and accept the settings
      expect(checked).toEqual({
        ok: false,
        problems: [
          { field: `${name}.notASetting`, problem: `is not a setting of ${name} (its settings: ${known.join(', ')})` },
        ],
      });
    },
  );

  it('refuses settings given as a list, which an object schema would take for an empty object', () => {
    // Act
    const checked = checkSourceSettings({ github: [] });

    // Assess
    expect(checked).toEqual({ ok: false, problems: [{ field: 'github', problem: 'must be an object, not a list' }] });
  });

  it('names the sources that have settings to a source that has none', () => {
    // Act
    const checked = checkSourceSettings({ generic: {} });

    // Assess
    expect(checked).toEqual({
      ok: false,
      problems: [
        {
          field: 'generic',
          problem: `has no settings (sources with settings: ${configurable.map((source) => source.name).join(', ')})`,
        },
      ],
    });
  });

  it.each(
    configurable.flatMap((source) =>
      Object.entries(defaultsOf(source.name))
        // The s3 source's bucket rules come from the stack (`s3Buckets`), not from a setting a team writes.
        .filter(([setting]) => !(source.name === 's3' && setting === 'buckets'))
        .map(([setting, fallback]) => [`${source.name}.${setting}`, setting, fallback] as const),
    ),
  )('are documented: %s, with its default', (_name, setting, fallback) => {
    // Prepare
    const docs = ['sources-alerts.md', 'sources-ci.md', 'sources-aws.md', 'files.md'].flatMap((file) =>
      readFileSync(join(DOCS, file), 'utf8').split('\n'),
    );
    const unspaced = (text: string) => text.replace(/\s+/g, '');

    // Act
    const rows = docs.filter(
      (line) => line.includes(`| \`${setting}\` |`) && unspaced(line).includes(`\`${JSON.stringify(fallback)}\``),
    );

    // Assess
    expect(rows).not.toEqual([]);
  });
});
