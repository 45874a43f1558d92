import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { decodedRequest } from '../../lambda/ingest/content-encoding';
import { ingestWebhook } from '../../lambda/ingest/intake';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../../lambda/runtime/errors';
import { testIntake } from '../support/intake';

const LIMIT = 1024 * 1024;
const request = (body: Buffer, encoding?: string) => ({
  method: 'POST',
  path: '/hooks/generic',
  headers: { 'content-type': 'text/plain', ...(encoding ? { 'content-encoding': encoding } : {}) },
  body,
});

describe('decodedRequest', () => {
  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['deflate', deflateRawSync],
  ])('decodes a %s body', (encoding, compress) => {
    // Act
    const decoded = decodedRequest(request(compress(Buffer.from('Disk full on db-1')), encoding), LIMIT);

    // Assess
    expect(decoded.body.toString()).toBe('Disk full on db-1');
  });

  it('leaves a body without Content-Encoding (or identity) as it is', () => {
    const plain = request(Buffer.from('hello'));

    expect(decodedRequest(plain, LIMIT)).toBe(plain);
    expect(decodedRequest(request(Buffer.from('hello'), 'identity'), LIMIT).body.toString()).toBe('hello');
  });

  it('refuses a zip bomb as too large once decoded, without expanding it whole', () => {
    // Prepare: 64 MiB of zeros, about 64 KB compressed.
    const bomb = gzipSync(Buffer.alloc(64 * LIMIT));

    // Act
    const decoding = () => decodedRequest(request(bomb, 'gzip'), LIMIT);

    // Assess
    expect(bomb.length).toBeLessThan(LIMIT);
    expect(decoding).toThrow(PayloadTooLargeError);
    expect(decoding).toThrow(/larger than the limit of 1048576 bytes/);
  });

  it.each([
    ['br', /Content-Encoding "br" is not accepted/],
    ['gzip', /not valid gzip data/],
  ])('answers %s it cannot decode with 415', (encoding, message) => {
    const decoding = () => decodedRequest(request(Buffer.from('not compressed'), encoding), LIMIT);

    expect(decoding).toThrow(UnsupportedMediaTypeError);
    expect(decoding).toThrow(message);
  });
});

describe('a gzipped webhook through ingest', () => {
  it('is queued decoded, not as garbage', async () => {
    // Prepare
    const intake = testIntake();

    // Act
    const answer = await ingestWebhook(request(gzipSync(Buffer.from('Deploy of v2.3 finished')), 'gzip'), intake.deps);

    // Assess
    expect(answer.statusCode).toBe(202);
    expect(intake.queued[0]!.message.summary).toBe('Deploy of v2.3 finished');
  });

  it('answers an unknown encoding with 415 naming the header, and queues nothing', async () => {
    // Prepare
    const intake = testIntake();

    // Act
    const answer = await ingestWebhook(request(Buffer.from('x'), 'compress'), intake.deps);

    // Assess
    expect(answer).toMatchObject({ statusCode: 415, body: { field: 'content-encoding' } });
    expect(intake.queued).toEqual([]);
  });
});
