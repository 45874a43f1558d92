/**
 * Amazon SNS over HTTPS (`POST /hooks/sns`): an existing SNS topic with an HTTPS subscription to the relay.
 *
 * Each message passes two checks: the webhook secret, which SNS sends as Basic credentials once challenged (subscribe
 * `https://sns:<secret>@<host>/hooks/sns`), and SNS's own message signature. A subscription confirmation is confirmed
 * by visiting its SubscribeURL, only on an SNS host; a notification's message is said by the source that recognises it
 * (a CloudWatch alarm, an EventBridge event), exactly as when the same message reaches the queue; plain text is said
 * here, with the Subject as title. Plain-text notifications that come through an SNS → SQS subscription land here too.
 */
import * as v from 'valibot';
import { publicOnlyLookup } from '../net/safe-lookup';
import { unwrap } from '../envelopes';
import { SnsNotificationEntries } from '../envelopes/sns';
import { BadRequestError, UnauthorizedError } from '../runtime/errors';
import { JsonShapeError } from '../runtime/json';
import { logger } from '../runtime/logger';
import { chatMessage } from '../model/message';
import { cachedCertificates, isSnsUrl, verifySnsSignature, type SignedSnsMessage } from '../security/sns-signature';
import { exchange } from '../net/exchange';
import { validate } from '../runtime/validate';
import { accountField, isRecord, parseArn } from './aws';
import { hashedKey } from './delivery-key';
import { verifySharedSecret } from './shared-secret';
import { decodeJson, defineSource, type Source } from './source';

/** Optional here: the SQS and Lambda forms of a notification carry no signature (or spell its fields differently). */
const SignatureEntries = {
  SignatureVersion: v.optional(v.string()),
  Signature: v.optional(v.string()),
  SigningCertURL: v.optional(v.string()),
};

const ConfirmationEntries = {
  MessageId: v.string(),
  Token: v.string(),
  TopicArn: v.string(),
  Message: v.string(),
  SubscribeURL: v.string(),
  Timestamp: v.string(),
  ...SignatureEntries,
};

export const SnsSchema = v.variant('Type', [
  v.object({ ...SnsNotificationEntries, ...SignatureEntries }),
  v.object({ ...ConfirmationEntries, Type: v.literal('SubscriptionConfirmation') }),
  v.object({ ...ConfirmationEntries, Type: v.literal('UnsubscribeConfirmation') }),
]);
export type Sns = v.InferOutput<typeof SnsSchema>;

/** What the `sns` source needs from the network; tests hand in their own. */
export interface SnsDependencies {
  /** GETs a URL that has passed the SNS host check (a signing certificate, a SubscribeURL); rejects unless answered 200. */
  readonly get: (url: URL) => Promise<Buffer>;
}

/** An SNS GET, with the guard of attachment downloads: public addresses only, no redirects, a small answer, soon. */
async function snsGet(url: URL): Promise<Buffer> {
  const answer = await exchange({
    method: 'GET',
    url,
    headers: { 'User-Agent': 'spaces-relay' },
    idleTimeoutMs: 5_000,
    deadlineMs: 10_000,
    maxResponseBytes: 64 * 1024,
    lookup: publicOnlyLookup(),
  });
  if (answer.status !== 200) throw new Error(`${url.host} answered HTTP ${answer.status}`);
  return answer.body;
}

/** SNS waits for `WWW-Authenticate` before it sends the credentials of the subscription URL. */
const CHALLENGE = { 'www-authenticate': 'Basic realm="spaces-relay"' };

/** The message with its signature fields, or the reason it cannot be an SNS message at all. */
function signed(message: Sns): SignedSnsMessage {
  const { SignatureVersion, Signature, SigningCertURL } = message;
  if (!SignatureVersion || !Signature || !SigningCertURL) {
    throw new UnauthorizedError('the message is not signed: SignatureVersion, Signature and SigningCertURL are required');
  }
  return { ...message, SignatureVersion, Signature, SigningCertURL };
}

/**
 * The events a verified notification's message carries. The message is JSON from outside like the body around it, so
 * JSON past the shape limits (too deep, an own `__proto__` key) is the sender's mistake, named like one in the body.
 */
function messageEvents(message: Extract<Sns, { Type: 'Notification' }>): unknown[] {
  try {
    return unwrap(message);
  } catch (error) {
    if (!(error instanceof JsonShapeError)) throw error;
    const field = error.field === '(root)' ? 'Message' : `Message.${error.field}`;
    throw new BadRequestError(`${field}: ${error.problem}`, { problems: [{ field, problem: error.problem }], cause: error });
  }
}

/** Creates the `sns` source; `deps` replace the network in tests. */
export function snsSource(deps: SnsDependencies = { get: snsGet }): Source<Sns> {
  const certificates = cachedCertificates(deps.get);

  /** Visits the SubscribeURL, which must be SNS's own ConfirmSubscription call: never any other URL a message names. */
  async function confirm(message: Extract<Sns, { Type: 'SubscriptionConfirmation' }>): Promise<void> {
    let url: URL | undefined;
    try {
      url = new URL(message.SubscribeURL);
    } catch {
      url = undefined;
    }
    if (!url || !isSnsUrl(url) || url.searchParams.get('Action') !== 'ConfirmSubscription') {
      throw new BadRequestError('SubscribeURL is not an SNS ConfirmSubscription URL', {
        problems: [{ field: 'SubscribeURL', problem: 'must be https://sns.<region>.amazonaws.com/?Action=ConfirmSubscription&…' }],
      });
    }
    await deps.get(url);
    // The URL holds the subscription token: the topic is named, the URL is not logged.
    logger.info('SNS subscription confirmed', { topicArn: message.TopicArn });
  }

  return defineSource<Sns>({
    name: 'sns',
    schema: SnsSchema,
    webhook: {
      // SNS posts JSON as text/plain; a topic's delivery policy can make it application/json.
      contentTypes: ['text/plain', 'application/json'],
      // SNS first posts without credentials and sends them only when challenged; the challenge needs no body.
      verifyHeaders: (headers, secret) => {
        if (!headers.authorization) {
          throw new UnauthorizedError('no credentials: subscribe https://sns:<webhook secret>@<host>/hooks/sns', { headers: CHALLENGE });
        }
        verifySharedSecret(headers, secret);
      },
      // The message's own signature, by AWS: it proves the message came from SNS, whatever the inbound secret.
      verify: async (request) => {
        const message = validate(SnsSchema, decodeJson(request), 'invalid SNS message');
        await verifySnsSignature(signed(message), certificates);
      },
      // SNS names the message type in a header of its own on every HTTPS delivery.
      detect: (request) => 'x-amz-sns-message-type' in request.headers,
      open: async (message) => {
        switch (message.Type) {
          case 'SubscriptionConfirmation':
            await confirm(message);
            return [];
          case 'UnsubscribeConfirmation':
            logger.info('SNS subscription ended', { topicArn: message.TopicArn });
            return [];
          case 'Notification':
            return messageEvents(message);
        }
      },
    },
    event: {
      matches: (event) => isRecord(event) && event.Type === 'Notification' && typeof event.Message === 'string',
    },
    deliveryKey: (message) => hashedKey('sns', [message.MessageId]),
    toMessages: (message) => {
      if (message.Type !== 'Notification') return [];
      const topic = parseArn(message.TopicArn);
      const topicName = topic?.resource || message.TopicArn;
      return [
        chatMessage({
          source: 'sns',
          status: 'info',
          title: message.Subject || topicName,
          summary: message.Message,
          fields: [...(message.Subject ? [{ name: 'Topic', value: topicName }] : []), ...accountField(topic?.account, topic?.region)],
        }),
      ];
    },
  });
}

export const sns = snsSource();
