/**
 * The local server's routes behind the page's "try a payload" panel: `POST /stand-in/preview` (a payload → what the
 * relay would post, through `previewPayload`, without sending it) and `GET /stand-in/fixtures/{source}/{name}` (a
 * listed fixture's body and headers, to start from).
 */
import * as v from 'valibot';
import { previewPayload, type PreviewSettings } from '../render/preview';
import { BadRequestError, errorResponse, HttpError, NotFoundError, type JsonResponse } from '../runtime/errors';
import { validate } from '../runtime/validate';
import type { FixtureCatalog } from './fixture-catalog';
import { previewCards } from './stand-in-page';

const PreviewRequestSchema = v.object({
  source: v.string(),
  /** The payload as the sender posts it: JSON or text, as a string. */
  body: v.string(),
  channel: v.optional(v.string()),
  headers: v.optional(v.record(v.string(), v.string())),
});

/** Runs `answer`, turning a refusal into its JSON answer. */
function answered(answer: () => JsonResponse): JsonResponse {
  try {
    return answer();
  } catch (error) {
    if (error instanceof HttpError) return errorResponse(error);
    throw error;
  }
}

/**
 * The answer to a preview request: `200 {messages, html}` (each message with its bodyText parts, and the cards the
 * page shows), or the 4xx the relay would give the payload, naming the problem.
 */
export function previewAnswer(body: Buffer, settings: PreviewSettings): JsonResponse {
  return answered(() => {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new BadRequestError('a preview request is JSON: {"source", "body", "channel"?, "headers"?}', { cause: error });
    }
    const messages = previewPayload(validate(PreviewRequestSchema, json, 'invalid preview request'), settings);
    return { statusCode: 200, body: { messages, html: previewCards(messages) } };
  });
}

/** The answer to `GET {prefix}/fixtures/{source}/{name}`: `{body, headers}`, or 404 for a fixture that is not listed. */
export function fixtureAnswer(catalog: FixtureCatalog, path: string): JsonResponse {
  return answered(() => {
    const [source = '', name = ''] = path.split('/').map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
    const fixture = catalog.read(source, name);
    if (!fixture) throw new NotFoundError(`no fixture ${name} for ${source}`);
    return { statusCode: 200, body: { ...fixture } };
  });
}
