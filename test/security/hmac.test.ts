import { hmacSha256Hex, signatureMatches } from '../../lambda/security/hmac';
import { fixtureJson } from '../support/fixtures';

describe('hmac', () => {
  it('computes the GitHub docs test vector', () => {
    // Prepare
    const vector = fixtureJson('github', 'signature_test_vector_github_docs.json');

    // Act
    const signature = hmacSha256Hex(vector.secret, vector.payload);

    // Assess
    expect(`sha256=${signature}`).toBe(vector['X-Hub-Signature-256']);
  });

  it.each([
    // The examples of CircleCI's "Validate outbound webhooks" docs.
    ['hello world', 'secret', '734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a'],
    ['lalala', 'another-secret', 'daa220016c8f29a8b214fbfc3671aeec2145cfb1e6790184ffb38b6d0425fa00'],
    ['an-important-request-payload', 'hunter123', '9be2242094a9a8c00c64306f382a7f9d691de910b4a266f67bd314ef18ac49fa'],
  ])('computes the CircleCI docs example for %j', (body, secret, expected) => {
    expect(hmacSha256Hex(secret, Buffer.from(body))).toBe(expected);
  });

  it('matches when any candidate is right, in any hex case', () => {
    const body = Buffer.from('hello world');
    const good = '734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a';

    expect(signatureMatches(body, 'secret', ['deadbeef', good.toUpperCase()])).toBe(true);
  });

  it('does not match a wrong signature, another body or no candidate', () => {
    const good = '734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a';

    expect(signatureMatches(Buffer.from('hello world'), 'secret', ['deadbeef'])).toBe(false);
    expect(signatureMatches(Buffer.from('hello world!'), 'secret', [good])).toBe(false);
    expect(signatureMatches(Buffer.from('hello world'), 'secret', [])).toBe(false);
  });
});
