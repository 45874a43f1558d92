/**
 * A throwaway SNS signer for tests: an RSA key with a self-signed certificate (made with the `openssl` CLI, since
 * node:crypto cannot issue certificates), and SNS-style signatures over a message's string-to-sign.
 * Real fixture signatures cannot be checked offline (their certificates live on SNS hosts), so tests re-sign fixtures.
 */
import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringToSign, type SignedSnsMessage } from '../../lambda/security/sns-signature';

export interface TestSigner {
  /** The certificate, PEM, as an SNS host would serve it. */
  readonly certificate: Buffer;
  /** `Signature` for `message` (its own Signature field is ignored), with SignatureVersion 1 (SHA1) or 2 (SHA256). */
  sign(message: SignedSnsMessage, version: '1' | '2'): string;
}

/** Creates a key pair and a self-signed certificate valid for a day. Throws, naming openssl, if the CLI is missing. */
export function testSigner(commonName = 'sns.test'): TestSigner {
  const directory = mkdtempSync(join(tmpdir(), 'sns-signer-'));
  try {
    const key = join(directory, 'key.pem');
    const cert = join(directory, 'cert.pem');
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${commonName}`],
        { stdio: 'pipe' },
      );
    } catch (error) {
      throw new Error(`the SNS signature tests need the openssl CLI to make a test certificate: ${(error as Error).message}`);
    }
    const privateKey = readFileSync(key);
    const certificate = readFileSync(cert);
    return {
      certificate,
      sign: (message, version) =>
        createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256')
          .update(stringToSign(message), 'utf8')
          .sign(privateKey, 'base64'),
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** A fixture message re-signed by `signer`: its own fields, a signature SNS could have made with this certificate. */
export function resigned<T extends SignedSnsMessage>(message: T, signer: TestSigner, version: '1' | '2' = '1'): T {
  const withVersion = { ...message, SignatureVersion: version };
  return { ...withVersion, Signature: signer.sign(withVersion, version) };
}
