/**
 * Amazon SNS message signatures (HTTP/S subscriptions): which URLs are SNS's own, the string SNS signs, and the RSA
 * check against SNS's signing certificate. SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA.
 */
import { createVerify, X509Certificate } from 'node:crypto';
import { UnauthorizedError } from '../runtime/errors';

/**
 * `sns.<region>.amazonaws.com`, or `….amazonaws.com.cn` in the China regions, and nothing else: the certificate that
 * proves a message is SNS's must come from SNS, or anyone could sign messages with a certificate of their own.
 */
const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** Whether `url` is served by SNS itself: https, the default port, no credentials, an SNS host. */
export function isSnsUrl(url: URL): boolean {
  return url.protocol === 'https:' && url.port === '' && url.username === '' && url.password === '' && SNS_HOST.test(url.hostname);
}

/** The signing certificate's URL if SNS serves it (an SNS URL whose path is a `.pem` file); undefined otherwise. */
export function signingCertificateUrl(raw: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  return isSnsUrl(url) && url.pathname.endsWith('.pem') && url.search === '' && url.hash === '' ? url : undefined;
}

/** The fields of an SNS message that take part in its signature. */
export interface SignedSnsMessage {
  readonly Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly Subject?: string | null;
  readonly SubscribeURL?: string;
  readonly Token?: string;
  readonly SignatureVersion: string;
  readonly Signature: string;
  readonly SigningCertURL: string;
}

type SignedField = 'Message' | 'MessageId' | 'Subject' | 'SubscribeURL' | 'Timestamp' | 'Token' | 'TopicArn' | 'Type';

/** The fields SNS signs, in the order it signs them; a notification's Subject only when it has one. */
const SIGNED_FIELDS: Readonly<Record<SignedSnsMessage['Type'], readonly SignedField[]>> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/** `Message\n<message>\nMessageId\n<id>\n…`: each signed field's name and value, each followed by a line feed. */
export function stringToSign(message: SignedSnsMessage): string {
  return SIGNED_FIELDS[message.Type]
    .flatMap((field) => {
      const value = message[field];
      return value === undefined || value === null ? [] : [`${field}\n${value}\n`];
    })
    .join('');
}

const ALGORITHMS: Readonly<Record<string, string>> = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' };

/** Hands out SNS signing certificates by URL (the URL has passed `signingCertificateUrl`). */
export type CertificateSource = (url: URL) => Promise<X509Certificate>;

/** Certificates kept per URL; SNS signs with one certificate for months, so a handful covers every region in use. */
const MAX_CACHED_CERTIFICATES = 20;

/**
 * A `CertificateSource` that fetches each URL once and keeps the certificate. A failed fetch is not kept, so the
 * next message tries again; an expired certificate is refused.
 */
export function cachedCertificates(fetch: (url: URL) => Promise<Buffer>, now: () => Date = () => new Date()): CertificateSource {
  const cache = new Map<string, Promise<X509Certificate>>();
  return async (url) => {
    let entry = cache.get(url.href);
    if (!entry) {
      entry = fetch(url).then((pem) => new X509Certificate(pem));
      entry.catch(() => cache.delete(url.href));
      if (cache.size >= MAX_CACHED_CERTIFICATES) cache.delete(cache.keys().next().value!);
      cache.set(url.href, entry);
    }
    const certificate = await entry;
    const time = now().getTime();
    if (time < Date.parse(certificate.validFrom) || time > Date.parse(certificate.validTo)) {
      throw new UnauthorizedError('the SNS signing certificate is not valid at this time');
    }
    return certificate;
  };
}

/**
 * Checks that SNS signed `message`: a known SignatureVersion, a certificate from an SNS URL, and a signature over the
 * message's string-to-sign that the certificate's key verifies. Throws `UnauthorizedError` saying which check failed.
 */
export async function verifySnsSignature(message: SignedSnsMessage, certificates: CertificateSource): Promise<void> {
  const algorithm = ALGORITHMS[message.SignatureVersion];
  if (!algorithm) throw new UnauthorizedError('SignatureVersion must be 1 or 2');
  const url = signingCertificateUrl(message.SigningCertURL);
  if (!url) throw new UnauthorizedError('SigningCertURL is not an https .pem URL on an SNS host');
  const certificate = await certificates(url);
  const verified = createVerify(algorithm).update(stringToSign(message), 'utf8').verify(certificate.publicKey, message.Signature, 'base64');
  if (!verified) throw new UnauthorizedError('the SNS message signature does not match its content');
}
