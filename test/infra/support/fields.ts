/** The fields of the team config schema and of a config, as dotted paths, to show that a config covers every field. */
import type * as v from 'valibot';

/** Every field path the schema knows (`attachments.maxBytes`, `s3Buckets[].prefix`, …). */
export function schemaFields(schema: v.GenericSchema, prefix = ''): string[] {
  const inner = schema as v.GenericSchema & {
    pipe?: v.GenericSchema[];
    wrapped?: v.GenericSchema;
    item?: v.GenericSchema;
    entries?: Record<string, v.GenericSchema>;
  };
  if (inner.type === 'optional') return schemaFields(inner.wrapped!, prefix);
  if (inner.pipe) return inner.pipe.flatMap((item) => schemaFields(item, prefix));
  if (inner.type === 'array') return schemaFields(inner.item!, `${prefix}[]`);
  if (inner.type !== 'loose_object') return [];
  return Object.entries(inner.entries!).flatMap(([key, entry]) => [
    `${prefix}${prefix ? '.' : ''}${key}`,
    ...schemaFields(entry, `${prefix}${prefix ? '.' : ''}${key}`),
  ]);
}

/** The same paths present in a JSON value. */
export function jsonFields(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => jsonFields(item, `${prefix}[]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, entry]) => {
    const path = `${prefix}${prefix ? '.' : ''}${key}`;
    return [path, ...jsonFields(entry, path)];
  });
}
