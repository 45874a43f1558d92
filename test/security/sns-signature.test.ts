import { X509Certificate } from 'node:crypto';
import { UnauthorizedError } from '../../lambda/runtime/errors';
import {
  cachedCertificates,
  isSnsUrl,
  signingCertificateUrl,
  stringToSign,
  verifySnsSignature,
  type SignedSnsMessage,
} from '../../lambda/security/sns-signature';
import { fixtureJson } from '../support/fixtures';
import { resigned, testSigner } from '../support/sns-signing';

const signer = testSigner();
const other = testSigner('someone-else');
const certificateOf = (pem: Buffer) => async () => new X509Certificate(pem);

const notification = (): SignedSnsMessage => fixtureJson('aws_cloudwatch', 'sns_https_notification_plain_aws_docs.json');
const confirmation = (): SignedSnsMessage => fixtureJson('aws_cloudwatch', 'sns_https_subscription_confirmation_aws_docs.json');

describe('stringToSign', () => {
  it('takes a notification’s fields in SNS’s order, Subject included when present', () => {
    // Prepare
    const message = notification();

    // Act
    const text = stringToSign(message);

    // Assess
    expect(text).toBe(
      'Message\nHello world!\n' +
        'MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n' +
        'Subject\nMy First Message\n' +
        'Timestamp\n2012-05-02T00:54:06.655Z\n' +
        'TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n' +
        'Type\nNotification\n',
    );
  });

  it('leaves out a notification’s Subject when there is none (absent or null)', () => {
    // Prepare
    const { Subject: _absent, ...withoutSubject } = notification();
    const nullSubject = { ...notification(), Subject: null };

    // Act
    const texts = [stringToSign(withoutSubject), stringToSign(nullSubject)];

    // Assess
    for (const text of texts) {
      expect(text).not.toContain('Subject');
      expect(text.startsWith('Message\nHello world!\nMessageId\n')).toBe(true);
    }
  });

  it('takes a confirmation’s SubscribeURL and Token, in their places, and no Subject', () => {
    // Prepare
    const message = { ...confirmation(), Subject: 'ignored for confirmations' };

    // Act
    const text = stringToSign(message);

    // Assess
    const m = message;
    expect(text).toBe(
      `Message\n${m.Message}\nMessageId\n${m.MessageId}\nSubscribeURL\n${m.SubscribeURL}\nTimestamp\n${m.Timestamp}\n` +
        `Token\n${m.Token}\nTopicArn\n${m.TopicArn}\nType\nSubscriptionConfirmation\n`,
    );
  });
});

describe('signingCertificateUrl', () => {
  it.each([
    'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
    'https://sns.ap-northeast-1.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem',
    'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-0123.pem',
    'https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-0123.pem',
  ])('accepts SNS’s own certificate URL %s', (url) => {
    // Act
    const accepted = signingCertificateUrl(url);

    // Assess
    expect(accepted?.href).toBe(url);
  });

  it.each([
    ['another host', 'https://sns.evil.com/SimpleNotificationService-1.pem'],
    ['an SNS name inside another domain', 'https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-1.pem'],
    ['a look-alike prefix', 'https://evilsns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem'],
    ['another AWS service', 'https://s3.us-east-1.amazonaws.com/SimpleNotificationService-1.pem'],
    ['a sub-domain of an SNS host', 'https://x.sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem'],
    ['plain http', 'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem'],
    ['a path that is not a .pem file', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.crt'],
    ['a .pem name in the query only', 'https://sns.us-east-1.amazonaws.com/?file=cert.pem'],
    ['a query after the .pem', 'https://sns.us-east-1.amazonaws.com/cert.pem?x=1'],
    ['credentials before the host', 'https://sns.us-east-1.amazonaws.com@evil.com/cert.pem'],
    ['a port', 'https://sns.us-east-1.amazonaws.com:8443/cert.pem'],
    ['a trailing dot', 'https://sns.us-east-1.amazonaws.com./cert.pem'],
    ['not a URL', 'sns.us-east-1.amazonaws.com/cert.pem'],
  ])('refuses %s', (_why, url) => {
    // Act
    const accepted = signingCertificateUrl(url);

    // Assess
    expect(accepted).toBeUndefined();
  });

  it('uses the same host rule as every other SNS URL', () => {
    // Assess
    expect(isSnsUrl(new URL('https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription'))).toBe(true);
    expect(isSnsUrl(new URL('https://sns.eu-west-1.amazonaws.com.evil.com/?Action=ConfirmSubscription'))).toBe(false);
  });
});

describe('verifySnsSignature', () => {
  it.each(['1', '2'] as const)('accepts a message signed with SignatureVersion %s by the certificate’s key', async (version) => {
    // Prepare
    const message = resigned(notification(), signer, version);

    // Act
    const verifying = verifySnsSignature(message, certificateOf(signer.certificate));

    // Assess
    await expect(verifying).resolves.toBeUndefined();
  });

  it('accepts a signed subscription confirmation', async () => {
    // Prepare
    const message = resigned(confirmation(), signer, '2');

    // Act
    const verifying = verifySnsSignature(message, certificateOf(signer.certificate));

    // Assess
    await expect(verifying).resolves.toBeUndefined();
  });

  it.each([
    ['the Message', { Message: 'Hello world, says someone else' }],
    ['the Subject', { Subject: 'Other subject' }],
    ['the TopicArn', { TopicArn: 'arn:aws:sns:us-west-2:999999999999:OtherTopic' }],
    ['the Type', { Type: 'SubscriptionConfirmation' as const, SubscribeURL: 'https://sns.us-west-2.amazonaws.com/', Token: 't' }],
  ])('refuses a message whose %s was changed after signing', async (_field, change) => {
    // Prepare
    const message = { ...resigned(notification(), signer), ...change };

    // Act
    const verifying = verifySnsSignature(message, certificateOf(signer.certificate));

    // Assess
    await expect(verifying).rejects.toThrow(new UnauthorizedError('the SNS message signature does not match its content'));
  });

  it('refuses a signature made with another key than the certificate’s', async () => {
    // Prepare
    const message = resigned(notification(), other);

    // Act
    const verifying = verifySnsSignature(message, certificateOf(signer.certificate));

    // Assess
    await expect(verifying).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses a garbled signature', async () => {
    // Prepare
    const message = { ...resigned(notification(), signer), Signature: 'not base64 at all!' };

    // Act
    const verifying = verifySnsSignature(message, certificateOf(signer.certificate));

    // Assess
    await expect(verifying).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses a SHA1 signature presented as SignatureVersion 2', async () => {
    // Prepare
    const message = { ...resigned(notification(), signer, '1'), SignatureVersion: '2' };

    // Act
    const verifying = verifySnsSignature(message, certificateOf(signer.certificate));

    // Assess
    await expect(verifying).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses an unknown SignatureVersion without fetching anything', async () => {
    // Prepare
    const message = { ...resigned(notification(), signer), SignatureVersion: '3' };
    const certificates = jest.fn(certificateOf(signer.certificate));

    // Act
    const verifying = verifySnsSignature(message, certificates);

    // Assess
    await expect(verifying).rejects.toThrow('SignatureVersion must be 1 or 2');
    expect(certificates).not.toHaveBeenCalled();
  });

  it('refuses a certificate that is not on an SNS host, without fetching it', async () => {
    // Prepare
    const message = { ...resigned(notification(), signer), SigningCertURL: 'https://sns.us-west-2.amazonaws.com.evil.com/cert.pem' };
    const certificates = jest.fn(certificateOf(signer.certificate));

    // Act
    const verifying = verifySnsSignature(message, certificates);

    // Assess
    await expect(verifying).rejects.toThrow('SigningCertURL is not an https .pem URL on an SNS host');
    expect(certificates).not.toHaveBeenCalled();
  });

  it('does not take the fixture’s real AWS signature on trust: it cannot be checked offline, and a test certificate refuses it', async () => {
    // Prepare: the capture as SNS sent it; its certificate is on an SNS host this test does not reach.
    const capture = fixtureJson<SignedSnsMessage>('aws_cloudwatch', 'sns_https_notification_alarm_capture.json');

    // Act
    const verifying = verifySnsSignature(capture, certificateOf(signer.certificate));

    // Assess
    await expect(verifying).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

describe('cachedCertificates', () => {
  const url = new URL('https://sns.us-west-2.amazonaws.com/SimpleNotificationService-1.pem');

  it('fetches a certificate once per URL', async () => {
    // Prepare
    const fetch = jest.fn(async () => signer.certificate);
    const certificates = cachedCertificates(fetch);

    // Act
    await certificates(url);
    await certificates(url);
    await certificates(new URL('https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-2.pem'));

    // Assess
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('forgets a failed fetch, so the next message tries again', async () => {
    // Prepare
    const fetch = jest.fn().mockRejectedValueOnce(new Error('HTTP 503')).mockResolvedValueOnce(signer.certificate);
    const certificates = cachedCertificates(fetch);

    // Act
    const first = certificates(url);
    await expect(first).rejects.toThrow('HTTP 503');
    const second = await certificates(url);

    // Assess
    expect(second.subject).toContain('sns.test');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('refuses a certificate outside its validity period', async () => {
    // Prepare
    const inTenDays = () => new Date(Date.now() + 10 * 24 * 3600 * 1000);
    const certificates = cachedCertificates(async () => signer.certificate, inTenDays);

    // Act
    const getting = certificates(url);

    // Assess
    await expect(getting).rejects.toThrow('the SNS signing certificate is not valid at this time');
  });
});
