/**
 * Render without sending: a source's payload → the messages the relay would post and their bodyText parts, exactly
 * as deliver would post them. The page's "try a payload" panel (`POST /stand-in/preview`) and `spaces-relay render`
 * both call `previewPayload`, so the two cannot tell different stories.
 *
 * It takes the road a notification takes, minus the network: the source's own decode, schema, settings and messages
 * and the team's templates (AWS events through the envelopes and the source that recognises them, as deliver says
 * them), then ingest's queue fitting (`notificationsFor`), the team's routes and drops, and deliver's renderer with
 * the team's mentions. It verifies no signature and acts on nothing (an SNS
 * subscription is not confirmed), and files are listed rather than fetched.
 */
import { unwrap } from '../envelopes';
import { notificationsFor } from '../model/notification';
import type { ChatMessage } from '../model/message';
import { BadRequestError, NotFoundError } from '../runtime/errors';
import type { DeliverSettings } from '../runtime/config';
import { validate } from '../runtime/validate';
import { SOURCES, findSource } from '../sources';
import { dispatchEvent } from '../sources/dispatch';
import { decodeJson, type InboundRequest, type Source } from '../sources/source';
import { renderMessage } from './body-text';
import { compileMentions } from './mentions';
import { writtenAs } from './templates';
import { compileRoutes, routeNotifications } from '../routing/routes';

/** A payload to preview, as a sender would post it. */
export interface PreviewRequest {
  /** The source's route segment (`alertmanager`), or an AWS event source (`codebuild`, `s3`). */
  readonly source: string;
  /** The body as sent: JSON, or plain text for the senders that post text (`generic`, `sns`). */
  readonly body: string;
  /** The channel a route would name; `default` when absent. */
  readonly channel?: string;
  /** Headers some senders name the event in (`X-GitHub-Event`, `X-Gitlab-Event`); any case. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * What a team's settings change in what is posted: deliver's own parsed settings (`readDeliverSettings`), whose source
 * settings are the team's with the watched buckets added for the `s3` source, so a setting reaches the preview
 * exactly as it reaches the functions.
 */
export type PreviewSettings = Pick<DeliverSettings, 'CHANNELS' | 'SOURCE_SETTINGS' | 'TEMPLATES' | 'ROUTES' | 'MENTIONS'>;

/** One message as it would be posted. */
export interface PreviewedMessage {
  readonly channel: string;
  /** The message as deliver takes it off the queue (long values cut, a huge group summed up), with the files it attaches. */
  readonly message: ChatMessage;
  /** The bodyText of each post, in order; the files go with the first. */
  readonly bodyTexts: readonly string[];
}

/** `text/plain` for a body that is not JSON, so that the senders that take text get it as text. */
function asRequest(source: Source<unknown, unknown>, { body, headers = {} }: PreviewRequest): InboundRequest {
  let json = true;
  try {
    JSON.parse(body);
  } catch {
    json = false;
  }
  const accepted = source.webhook?.contentTypes ?? ['application/json'];
  const contentType = json && accepted.includes('application/json') ? 'application/json' : accepted.includes('text/plain') ? 'text/plain' : 'application/json';
  const given = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { method: 'POST', path: `/hooks/${source.name}`, headers: { 'content-type': contentType, ...given }, body: Buffer.from(body) };
}

/**
 * The payload as the source's own decode and schema read it; an AWS event only as JSON, since its source's schema
 * checks it once the envelopes are off.
 */
function payloadOf(source: Source<unknown, unknown>, request: InboundRequest): unknown {
  return source.webhook ? validate(source.schema, (source.webhook.decode ?? decodeJson)(request), `invalid ${source.name} payload`) : decodeJson(request);
}

/** What one source said of a payload, with what its templates see. */
interface Said {
  readonly source: string;
  readonly payload: unknown;
  readonly messages: readonly ChatMessage[];
}

/** The events in an AWS payload (envelopes off), each said by the source that recognises it, as deliver says them. */
function eventMessages(source: Source<unknown, unknown>, request: InboundRequest, settings: PreviewSettings): Said[] {
  const payload = payloadOf(source, request);
  // What carries no event (an SNS subscription's confirmation) is the source's own to say: preview never acts on it.
  if (source.webhook && !source.event?.matches(payload)) {
    return [{ source: source.name, payload, messages: source.toMessages(payload, settings.SOURCE_SETTINGS.get(source.name)) }];
  }
  return unwrap(payload).map((event) => {
    const said = dispatchEvent(event, settings.SOURCE_SETTINGS);
    if (!said.ok) throw new BadRequestError(said.reason, { problems: said.problems });
    return said;
  });
}

/** The messages of a webhook payload, through the source's own decode, schema and settings. */
function webhookMessages(source: Source<unknown, unknown>, request: InboundRequest, settings: PreviewSettings): Said {
  const decoded = (source.webhook!.decode ?? decodeJson)(request);
  const messages = source.toMessages(validate(source.schema, decoded, `invalid ${source.name} payload`), settings.SOURCE_SETTINGS.get(source.name));
  return { source: source.name, payload: decoded, messages };
}

/**
 * The messages `request` would post, each with its bodyText parts; none when the source acknowledges it without a
 * word (a GitHub ping). Throws `NotFoundError` for an unknown source or channel and `BadRequestError` naming the bad
 * field of a payload the relay would refuse.
 */
export function previewPayload(request: PreviewRequest, settings: PreviewSettings): PreviewedMessage[] {
  const source = findSource(request.source);
  if (!source) throw new NotFoundError(`unknown source "${request.source}"; sources: ${SOURCES.map((s) => s.name).join(', ')}`);
  const channel = request.channel ?? 'default';
  if (!Object.hasOwn(settings.CHANNELS, channel)) {
    throw new NotFoundError(`unknown channel "${channel}"; configured: ${Object.keys(settings.CHANNELS).join(', ')}`);
  }
  const inbound = asRequest(source, request);
  // A payload that carries other senders' events (SNS) or is an AWS event is said as deliver says events.
  const said = !source.webhook || source.webhook.open ? eventMessages(source, inbound, settings) : [webhookMessages(source, inbound, settings)];
  // The team's routes, then its templates for the channel each message goes to, and its mentions, as the functions
  // apply them: a dropped message is not posted.
  const routes = compileRoutes(settings.ROUTES);
  const mentions = compileMentions(settings.MENTIONS);
  const notifications = said.flatMap(({ source: name, payload, messages }) => {
    const made = notificationsFor(messages, { id: 'preview', deliveryKey: 'preview', receivedAt: new Date().toISOString(), channel });
    return writtenAs(routeNotifications(made, routes).kept, { source: name, payload }, settings.TEMPLATES);
  });
  return notifications.map(({ channel: postedTo, message }) => ({
    channel: postedTo,
    message,
    bodyTexts: renderMessage(message, { mentions: mentions(message) }),
  }));
}
