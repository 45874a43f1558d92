/**
 * The source contract: one module per sender, data in → messages out. `sources/index.ts` lists them.
 */
import type * as v from 'valibot';
import { BadRequestError } from '../runtime/errors';
import { JsonShapeError, parseJson } from '../runtime/json';
import type { ChatMessage } from '../model/message';
import type { AnswerStyle } from '../ingest/answer-style';

/** Header names in lower case. */
export type RequestHeaders = Readonly<Record<string, string>>;

/** An HTTP request as the relay sees it, whether it came through API Gateway or the local server. */
export interface InboundRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: RequestHeaders;
  /** The raw bytes, exactly as sent: signatures are computed over them. */
  readonly body: Buffer;
}

/** What a request says before its body is read: enough to route it, and to authenticate most senders. */
export type RequestHead = Omit<InboundRequest, 'body'>;

/** What every webhook endpoint has, whatever its sender's proof. */
interface EndpointBase<T> {
  /** Media types the sender uses; anything else is answered 415. */
  readonly contentTypes: readonly string[];
  /**
   * How answers are written: the relay's JSON (default), or as the chat service whose incoming webhooks the sender
   * thinks it posts to (`slack`, `teams`, `discord`: see `ingest/answer-style.ts`).
   */
  readonly answers?: AnswerStyle;
  /**
   * Whether the inbound secret may be the last segment of the path, `/hooks/{source}/{channel}/{secret}`: a chat
   * webhook URL is all its senders can be given (most set no header). Compared in constant time, and never logged:
   * logs and answers show the path without it. The endpoint's own proof still applies to a path without one.
   */
  readonly secretInPath?: boolean;
  /** Turns the raw body into the value the schema checks. Default: `decodeJson`. Throws `BadRequestError`. */
  decode?(request: InboundRequest): unknown;
  /**
   * For a sender that carries other senders' events (SNS): the events inside the verified payload, each said by the
   * event source that recognises it, exactly as deliver says the same events from the queue. It may first act on
   * the payload (SNS: confirm a subscription). Without it, the source's own `toMessages` says the payload.
   */
  open?(payload: T): Promise<unknown[]>;
  /**
   * Recognises this sender's requests at `POST /hooks`, for senders that cannot name the source in the path: a cheap,
   * side-effect free look at the headers and at `body` (the body parsed as JSON; `undefined` when it is not JSON).
   * Sources are asked in registry order and the first that says yes gets the request, so a catch-all goes last.
   * A source without it is reached only at its own path.
   */
  detect?(request: InboundRequest, body: unknown): boolean;
}

/**
 * How the sender proves it holds the inbound secret, checked against one value of it at a time. Both checks throw
 * `SecretMismatchError` when the proof is there but does not match this value (ingest then tries the other valid
 * values: the previous one during a rotation's grace period), and `UnauthorizedError` for anything that no value
 * could cure (no header, a malformed one, a bad SNS signature).
 *
 * A proof carried in the headers alone (a bearer token, Basic auth, GitLab's token) is `verifyHeaders`: it is checked
 * before a byte of the body is read, so an unauthenticated caller costs no body and learns nothing of the team's
 * configuration. A proof that needs the body (an HMAC over the raw bytes) is `verify`; a sender may have both (SNS:
 * Basic auth in the headers, then the message's own signature). Every endpoint has at least one.
 */
export type SenderProof =
  | {
      verifyHeaders(headers: RequestHeaders, secret: string): void;
      verify?(request: InboundRequest, secret: string): void | Promise<void>;
    }
  | { verifyHeaders?: undefined; verify(request: InboundRequest, secret: string): void | Promise<void> };

/** How a source is reached over HTTP at `POST /hooks/{name}`. */
export type WebhookEndpoint<T = unknown> = EndpointBase<T> & SenderProof;

/** The default `decode`: the body as JSON within the shape limits, or `BadRequestError` naming the problem. */
export function decodeJson(request: InboundRequest): unknown {
  try {
    return parseJson(request.body.toString('utf8'));
  } catch (error) {
    if (error instanceof JsonShapeError) {
      throw new BadRequestError(`body: ${error.message}`, { problems: [{ field: error.field, problem: error.problem }], cause: error });
    }
    throw new BadRequestError('body is not valid JSON', { problems: [{ field: 'body', problem: 'invalid JSON' }], cause: error });
  }
}

/** How a source recognises its AWS events (S3, EventBridge, SNS messages) once the envelopes are off. */
export interface EventRecognizer {
  /** A cheap look at the shape (`source`/`detail-type`, `eventSource`); the schema then checks the rest. */
  matches(event: unknown): boolean;
}

/**
 * One sender: its schema, its route (if it has one), its AWS events (if any), its delivery key and its messages.
 * `S` is the source's own settings (the team config's `sourceSettings.<name>`), parsed once at start-up with `settings`.
 */
export interface Source<T = unknown, S = unknown> {
  /** The route segment and fixture folder name. */
  readonly name: string;
  readonly schema: v.GenericSchema<unknown, T>;
  readonly webhook?: WebhookEndpoint<T>;
  readonly event?: EventRecognizer;
  /** Options a team may set for this source, with their defaults (e.g. which GitHub events to post). */
  readonly settings?: v.GenericSchema<unknown, S>;
  /** Stable across the sender's retries of the same notification, so deliver can post it once. */
  deliveryKey(payload: T, request?: InboundRequest): string;
  /** Zero or more messages; zero means "acknowledged, nothing to say". */
  toMessages(payload: T, settings: S): ChatMessage[];
}

/** Declares a source with its payload and settings types inferred from its schemas. */
export function defineSource<T, S = undefined>(source: Source<T, S>): Source<T, S> {
  return source;
}
