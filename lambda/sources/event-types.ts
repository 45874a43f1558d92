/**
 * For senders that post many event types to one URL (GitHub, GitLab, CircleCI) of which a source reads a few.
 * Each read type is checked by its own schema, so a bad one is refused naming the field; every other type is
 * acknowledged without a message rather than refused: senders add event types over time, and a refused delivery
 * shows as failed on their side. Not a source itself.
 */
import * as v from 'valibot';
import { BadRequestError } from '../runtime/errors';
import { decodeJson, type InboundRequest } from './source';

/** What a source checks when its sender names the event in a header: that name, and the decoded body. */
export interface NamedEvent {
  readonly event: string;
  readonly body: unknown;
}

/**
 * A `decode` that folds the header naming the event into the value the schema checks, `{ event, body }`, so the
 * schema can pick the body's schema by the event (validation paths then read `body.<field>`).
 */
export function decodeNamedEvent(
  header: string,
  decodeBody: (request: InboundRequest) => unknown = decodeJson,
): (request: InboundRequest) => NamedEvent {
  return (request) => {
    const event = request.headers[header];
    if (!event) {
      throw new BadRequestError(`missing ${header} header: it names the event`, {
        problems: [{ field: header, problem: 'missing' }],
      });
    }
    return { event, body: decodeBody(request) };
  };
}

/**
 * The last `v.variant` option: any value of `key` except the `read` ones, with nothing else checked, output as
 * `{ [key]: 'other' }` so that a `switch` on `key` narrows. The read types must be excluded here: otherwise a read
 * event whose body is bad would pass as "other" instead of being refused.
 */
export function otherEvent<K extends string>(key: K, read: readonly string[]) {
  const other = v.pipe(
    v.string(),
    v.notValues(read),
    v.transform((): 'other' => 'other'),
  );
  return v.object({ [key]: other } as Record<K, typeof other>);
}
