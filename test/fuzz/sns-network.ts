/**
 * SNS's side of the network for the fuzz suite. A notification's signature is checked against a certificate fetched
 * from an SNS host, and a subscription is confirmed by visiting its SubscribeURL: both are calls to AWS, which a test
 * cannot make. The fuzz suites replace `net/exchange` with one that answers SNS hosts itself — the test signer's
 * certificate for `.pem` URLs, 200 for everything else — and passes every other call (the Spaces stand-in) through.
 * So a mutated notification that the suite signs again gets past the signature check into the code behind it.
 */
import { isSnsUrl } from '../../lambda/security/sns-signature';
import type * as Exchange from '../../lambda/net/exchange';
import { testSigner, type TestSigner } from '../support/sns-signing';

let signer: TestSigner | undefined;

/** The one signer of the suite, made on first use: SNS hosts serve its certificate. */
export function snsSigner(): TestSigner {
  signer ??= testSigner('sns.amazonaws.com');
  return signer;
}

/** The `net/exchange` module with SNS hosts answered locally; for `jest.mock`'s factory. */
export function exchangeWithTestSns(): typeof Exchange {
  const actual = jest.requireActual<typeof Exchange>('../../lambda/net/exchange');
  return {
    ...actual,
    exchange: async (options) => {
      if (!isSnsUrl(options.url)) return actual.exchange(options);
      const body = options.url.pathname.endsWith('.pem') ? snsSigner().certificate : Buffer.from('<ConfirmSubscriptionResponse/>');
      return { status: 200, headers: {}, body };
    },
  };
}
