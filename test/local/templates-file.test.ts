import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localTemplates, namingTemplatesFile } from '../../lambda/local/templates-file';
import { ConfigError } from '../../lambda/runtime/errors';
import { sendHook, startTestRelay } from '../support/relay';

describe('local templates (npm start)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'templates-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('come from TEMPLATES_FILE, and the relay writes messages with them', async () => {
    // Prepare
    const file = join(dir, 'templates.json');
    writeFileSync(file, JSON.stringify({ generic: { title: 'Local: {{ payload.text | upcase }}' } }));
    const relay = await startTestRelay({ settings: { TEMPLATES: localTemplates({ TEMPLATES_FILE: file }) } });

    // Act
    await sendHook(relay, '/hooks/generic', 'hello', { 'content-type': 'text/plain' });
    await relay.queue.idle();
    const posted = relay.standIn!.messages.at(-1)!.bodyText;
    await relay.close();

    // Assess
    expect(posted).toMatch(/^<p><b>ℹ️ INFO · Local: HELLO<\/b><\/p>/);
  });

  it('that do not parse stop the start, naming the file, the template and the line', async () => {
    // Prepare
    const file = join(dir, 'templates.json');
    const env = { TEMPLATES_FILE: file };
    writeFileSync(file, JSON.stringify({ generic: { summary: 'ok\n{% if payload.text %}' } }));

    // Act
    const starting = startTestRelay({ settings: { TEMPLATES: localTemplates(env) } }).catch((error: unknown) => {
      throw namingTemplatesFile(error, env);
    });

    // Assess
    await expect(starting).rejects.toThrow(ConfigError);
    await expect(starting).rejects.toThrow(
      new RegExp(`TEMPLATES\\.generic\\.summary: line 2, column 1: tag \\{% if payload\\.text %\\} not closed\\n  \\(TEMPLATES is the content of ${file}\\)`),
    );
  });

  it('are TEMPLATES when no file is named, and one of the two only', () => {
    expect(localTemplates({ TEMPLATES: '{}' })).toBe('{}');
    expect(() => localTemplates({ TEMPLATES: '{}', TEMPLATES_FILE: 'x.json' })).toThrow('TEMPLATES_FILE: set TEMPLATES or TEMPLATES_FILE, not both');
    expect(() => localTemplates({ TEMPLATES_FILE: join(dir, 'missing.json') })).toThrow(/TEMPLATES_FILE: cannot read .*missing\.json: ENOENT/);
  });
});
