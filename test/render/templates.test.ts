import * as v from 'valibot';
import { MAX_BODY_BYTES, MAX_PARTS, renderMessage, wireSize } from '../../lambda/render/body-text';
import { chatMessage, type ChatMessage } from '../../lambda/model/message';
import {
  applyTemplates,
  checkTemplates,
  DEFAULT_TEMPLATES,
  MAX_TEMPLATE_CHARS,
  type CompiledTemplates,
  type FailureHandling,
  type TemplateFailure,
} from '../../lambda/render/templates';
import { SOURCES } from '../../lambda/sources';
import { saidFixtures, saidSamples, type SaidFixture } from '../support/said-fixtures';

const SOURCE_NAMES = SOURCES.map((source) => source.name);

/** Compiled templates, or the test fails with the problems. */
function compiled(raw: unknown): CompiledTemplates {
  const checked = checkTemplates(raw, SOURCE_NAMES);
  if (!checked.ok) throw new Error(checked.problems.map((p) => `${p.field}: ${p.problem}`).join('\n'));
  return checked.templates;
}

/** The problems of templates that do not compile, as `field: problem`. */
function problemsOf(raw: unknown): string[] {
  const checked = checkTemplates(raw, SOURCE_NAMES);
  if (checked.ok) throw new Error('the templates were accepted');
  return checked.problems.map((p) => `${p.field}: ${p.problem}`);
}

/** Failure handling that keeps what failed: `strict` as synth checks samples, `lenient` as at run time. */
function failures(): { readonly seen: string[]; readonly strict: FailureHandling; readonly lenient: FailureHandling } {
  const seen: string[] = [];
  const onFailure: TemplateFailure = (where, problem) => seen.push(`${where}: ${problem}`);
  return { seen, strict: { strictVariables: true, onFailure }, lenient: { strictVariables: false, onFailure } };
}

const EVERY_FIXTURE: SaidFixture[] = [...saidFixtures(), ...saidSamples()];

/** A template for every source that uses each part, the message, the payload and the relay's bold. */
const COMMON = {
  title: '{{ message.title | upcase }}',
  summary: '{{ message.source | bold }} · {{ message.summary | default: "no summary" | truncate: 200 }}',
  fields: [{ name: 'Channel', value: '{{ channel }}' }, '*', { name: 'Payload keys', value: '{{ payload | size }}' }],
  item: '{{ index | plus: 1 }}. {{ item.title }}',
  link: '{% if link.label == "Runbook" %}📖 Runbook{% else %}→ {{ link.label }}{% endif %}',
};

/** Templates that read each sender's own payload fields, for the sources whose payload they know. */
const OWN: Record<string, Record<string, unknown>> = {
  alertmanager: {
    title: '{{ payload.commonLabels.alertname | default: message.title }} on {{ payload.receiver }}',
    item: '{{ item.title }} @ {{ payload.alerts[index].labels.host | default: "?" }}',
  },
  grafana: { summary: '{{ payload.alerts.size }} alert(s), {{ payload.status }}' },
  github: { title: '{{ payload.event }}: {{ message.title }}' },
  gitlab: { title: '{{ payload.event }}: {{ payload.body.project.path_with_namespace | default: message.title }}' },
  jenkins: { title: '{{ payload.name }} #{{ payload.build.number }}' },
};

function templatesFor(source: string): CompiledTemplates {
  return compiled({ [source]: { ...COMMON, ...OWN[source] } });
}

describe('templates', () => {
  it('every source has fixtures or samples to render templates against', () => {
    // Act
    const covered = new Set(EVERY_FIXTURE.map((said) => said.source));

    // Assess
    expect([...covered].sort()).toEqual([...SOURCE_NAMES].sort());
  });

  it.each(EVERY_FIXTURE.map((said) => [said.fixture, said] as const))(
    'the default templates render %s exactly as the source says it',
    (_, said) => {
      // Prepare
      const defaults = compiled({ [said.source]: DEFAULT_TEMPLATES });
      const { seen, strict } = failures();

      // Act
      const templated = applyTemplates(said.messages, { source: said.source, payload: said.payload }, defaults, strict);

      // Assess
      expect(seen).toEqual([]);
      expect(templated.map((message) => renderMessage(message))).toEqual(said.messages.map((message) => renderMessage(message)));
    },
  );

  it.each(EVERY_FIXTURE.map((said) => [said.fixture, said] as const))('a template of its source renders %s', (_, said) => {
    // Prepare
    const templates = templatesFor(said.source);
    const { seen, strict } = failures();

    // Act
    const templated = applyTemplates(said.messages, { source: said.source, payload: said.payload, channel: 'ops' }, templates, strict);

    // Assess
    expect(seen).toEqual([]);
    templated.forEach((message, index) => {
      const original = said.messages[index]!;
      const html = renderMessage(message).join('');
      expect(message.fields[0]).toEqual({ name: 'Channel', value: original.channel ?? 'ops' });
      expect(message.fields.slice(1, 1 + original.fields.length)).toEqual(original.fields);
      const own = OWN[said.source] ?? {};
      if (!own.summary) expect(html).toContain(`<b>${said.source}</b> · `);
      if (!own.item) message.items.forEach((item, at) => expect(item.title).toMatch(new RegExp(`^${at + 1}\\. `)));
      if (!own.title) expect(message.title).toBe(original.title.toUpperCase());
    });
  });

  it('reads the sender’s own fields from the payload', () => {
    // Prepare
    const said = EVERY_FIXTURE.find((entry) => entry.fixture === 'alertmanager/firing_two_alerts_zulip.json')!;

    // Act
    const [message] = applyTemplates(said.messages, { source: 'alertmanager', payload: said.payload }, templatesFor('alertmanager'));

    // Assess
    expect(message!.title).toBe('High CPU Temperature on ops-zulip');
    expect(message!.items.map((item) => item.title)).toEqual(['High CPU Temperature @ andromeda', 'High CPU Temperature @ andromeda']);
  });

  it('uses a channel’s templates for that channel, and the source’s for the others', () => {
    // Prepare
    const templates = compiled({
      generic: { title: 'everywhere: {{ message.title }}', channels: { ops: { title: 'ops: {{ message.title }}' } } },
    });
    const message = chatMessage({ source: 'generic', status: 'info', title: 'Hello', summary: 'kept' });

    // Act
    const [ops] = applyTemplates([message], { source: 'generic', payload: {}, channel: 'ops' }, templates);
    const [other] = applyTemplates([message], { source: 'generic', payload: {}, channel: 'builds' }, templates);
    const [own] = applyTemplates([{ ...message, channel: 'ops' }], { source: 'generic', payload: {}, channel: 'builds' }, templates);

    // Assess
    expect(ops).toMatchObject({ title: 'ops: Hello', summary: 'kept' });
    expect(other!.title).toBe('everywhere: Hello');
    expect(own!.title).toBe('ops: Hello');
  });

  it('at run time prints nothing for what a payload lacks, and leaves a part that fails as the source said it', () => {
    // Prepare
    const templates = compiled({
      generic: {
        title: '{{ payload.missing.field }}{{ message.title }}',
        summary: '{% for i in (1..100000000) %}{% endfor %}',
        item: '{% assign a = "1,2" | split: "," %}{% for i in (1..40) %}{% assign a = a | concat: a %}{% endfor %}',
      },
    });
    const message = chatMessage({
      source: 'generic',
      status: 'firing',
      title: 'Disk full',
      summary: 'on db-1',
      items: [{ status: 'firing', title: 'db-1', fields: [], links: [] }],
    });
    const { seen, lenient } = failures();

    // Act
    const [templated] = applyTemplates([message], { source: 'generic', payload: { text: 'x' } }, templates, lenient);

    // Assess
    expect(templated).toMatchObject({ title: 'Disk full', summary: 'on db-1', items: [{ title: 'db-1' }] });
    expect(seen).toEqual([
      'generic.summary: line 1, column 1: memory alloc limit exceeded',
      expect.stringMatching(/^generic\.item: line 1, column \d+: memory alloc limit exceeded$/),
    ]);
    // The message says so in one line of its own.
    expect(renderMessage(templated!).join('')).toContain(
      '<p><i>team templates generic.summary, generic.item failed: those parts read as the relay writes them</i></p>',
    );
  });

  it('leaves out a templated field whose value renders empty, and a summary that renders empty', () => {
    // Prepare
    const templates = compiled({
      generic: {
        summary: '{% if payload.text == "quiet" %}{% else %}{{ payload.text }}{% endif %}',
        fields: [{ name: 'Team', value: '{{ payload.team | default: "" }}' }],
      },
    });
    const message = chatMessage({ source: 'generic', status: 'info', title: 't', summary: 'quiet', fields: [{ name: 'a', value: 'b' }] });

    // Act
    const [templated] = applyTemplates([message], { source: 'generic', payload: { text: 'quiet' } }, templates);

    // Assess
    expect(templated!.summary).toBeUndefined();
    expect(templated!.fields).toEqual([]);
  });

  it('cannot reach prototypes, functions or the process', () => {
    // Prepare
    const templates = compiled({
      generic: {
        title: '{{ message.constructor }}',
        summary: '{{ payload.__proto__.polluted | default: "clean" }} {{ process | default: "no process" }}',
        fields: [{ name: 'f', value: '{{ message.title.constructor.name | default: "no constructor" }}' }],
      },
    });
    const message = chatMessage({ source: 'generic', status: 'info', title: 'Safe' });
    const { seen, strict, lenient } = failures();

    // Act
    const [checked] = applyTemplates([message], { source: 'generic', payload: {} }, templates, strict);
    const [atRunTime] = applyTemplates([message], { source: 'generic', payload: {} }, templates, lenient);

    // Assess
    expect(seen).toEqual(['generic.title: line 1, column 4: undefined variable: message.constructor']);
    expect(checked!.title).toBe('Safe');
    expect(atRunTime!.title).toBe('');
    for (const templated of [checked!, atRunTime!]) {
      expect(templated.summary).toBe('clean no process');
      expect(templated.fields).toEqual([{ name: 'f', value: 'no constructor' }]);
    }
  });

  it('stops a template that loops or allocates without bound, and the message still reads', () => {
    // Prepare
    const templates = compiled({
      generic: {
        title: '{% for i in (1..100000000) %}x{% endfor %}',
        summary: '{% assign a = "1,2,3" | split: "," %}{% for i in (1..40) %}{% assign a = a | concat: a %}{% endfor %}{{ a | size }}',
        fields: [{ name: 'padded', value: '{{ "2024-01-01" | date: "%99999999d" }}' }],
      },
    });
    const message = chatMessage({ source: 'generic', status: 'info', title: 'Bounded', summary: 'as said' });
    const { seen, lenient } = failures();

    // Act
    const started = Date.now();
    const [templated] = applyTemplates([message], { source: 'generic', payload: {} }, templates, lenient);

    // Assess
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(templated).toMatchObject({ title: 'Bounded', summary: 'as said', fields: [] });
    expect(seen).toHaveLength(3);
  });

  it('keeps every part within the size limits and the post limit when a template writes a lot', () => {
    // Prepare
    const templates = compiled({
      alertmanager: {
        title: '{% for i in (1..200) %}{{ message.title }} {% endfor %}',
        summary: '{% for i in (1..400) %}{{ payload.receiver }} {% endfor %}',
        item: '{% for i in (1..100) %}{{ item.title | bold }} {% endfor %}',
        link: '{% for i in (1..50) %}{{ link.label }}{% endfor %}',
      },
    });
    const alerts = Array.from({ length: 3_000 }, (_, i) => ({ status: 'firing', labels: { alertname: `A${i}`, instance: `host-${i}` } }));
    const payload = { version: '4', groupKey: 'g', status: 'firing', receiver: 'team', alerts };
    const alertmanager = SOURCES.find((s) => s.name === 'alertmanager')!;
    const said = alertmanager.toMessages(v.parse(alertmanager.schema, payload), v.parse(alertmanager.settings!, {}));
    const { seen, lenient } = failures();

    // Act
    const [templated] = applyTemplates(said, { source: 'alertmanager', payload }, templates, lenient);
    const parts = renderMessage(templated!);

    // Assess
    expect(parts.length).toBeLessThanOrEqual(MAX_PARTS);
    for (const part of parts) expect(wireSize(part)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(parts[0]).toMatch(/^<p><b>🔥 FIRING · A0, A1, A2 \+2997 A0, A1, A2 \+2997 /);
    // Bold cut short is still closed: every <b> of the parts has its </b>.
    for (const part of parts) expect(part.split('<b>').length).toBe(part.split('</b>').length);
    // 3,000 item templates cost more than a message's time: the rest read as the source says them, with one note.
    expect(seen.slice(1)).toEqual([]);
  });

  describe('compiling', () => {
    it('names the template, line and column of a template that does not parse', () => {
      // Act
      const problems = problemsOf({
        github: { title: 'fine', summary: 'line one\n{% if message.summary %}unclosed' },
        alertmanager: { channels: { ops: { item: '{{ item.title | nosuchfilter }}' } } },
        gitlab: { fields: ['*', { name: 'x', value: '{{ x ' }] },
      });

      // Assess
      expect(problems).toEqual([
        'github.summary: line 2, column 1: tag {% if message.summary %} not closed',
        'alertmanager.channels.ops.item: line 1, column 1: undefined filter: nosuchfilter',
        'gitlab.fields.1.value: line 1, column 1: output "{{ x " not closed',
      ]);
    });

    it('refuses unknown sources and parts, and templates that read other files', () => {
      // Act
      const problems = problemsOf({
        githbu: { title: 'x' },
        github: { headline: 'x' },
        generic: { fields: [{ name: 'only a name' }] },
      });

      // Assess
      expect(problems).toEqual([
        expect.stringMatching(/^githbu: is not a source \(sources: alertmanager, /),
        'github.headline: is not a known field',
        'generic.fields.0: must be "*" (the fields the source gives) or {"name": template, "value": template}',
      ]);
      expect(problemsOf({ generic: { title: '{% render "other" %}', summary: 'a\n{% include "secrets" %}' } })).toEqual([
        'generic.title: line 1, column 1: {% render %} is not available: a template is one text',
        'generic.summary: line 2, column 1: {% include %} is not available: a template is one text',
      ]);
    });

    it(`refuses a template longer than ${MAX_TEMPLATE_CHARS} characters`, () => {
      // Act
      const problems = problemsOf({ generic: { summary: 'x'.repeat(MAX_TEMPLATE_CHARS + 1) } });

      // Assess
      expect(problems).toEqual([`generic.summary: must be at most ${MAX_TEMPLATE_CHARS} characters`]);
    });
  });

  it('without templates, leaves messages as the source said them', () => {
    // Prepare
    const message: ChatMessage = chatMessage({ source: 'generic', status: 'info', title: 'Plain', summary: 'text' });

    // Act
    const [same] = applyTemplates([message], { source: 'generic', payload: {} }, compiled({}));

    // Assess
    expect(same).toEqual(message);
  });
});
