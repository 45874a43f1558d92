import { readDeliverConfig } from '../lambda/config';

const BASE = {
  SPACES_TOKEN_SECRET_ID: 'spaces-token',
  CHANNELS: '{"default": "space-1"}',
  IDEMPOTENCY_TABLE: 'relay-idempotency',
  DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/relay-dlq',
};

describe('readDeliverConfig', () => {
  it('defaults to editing and posting on resolve, folding from 20, and two concurrent invocations', () => {
    // Act
    const config = readDeliverConfig(BASE);

    // Assess
    expect(config).toMatchObject({ RESOLVE_MODE: 'edit-and-post', DIGEST_THRESHOLD: 20, DELIVER_CONCURRENCY: 2, IDEMPOTENCY_TABLE: 'relay-idempotency' });
  });

  it('names every bad delivery setting', () => {
    // Act
    const read = () => readDeliverConfig({ ...BASE, RESOLVE_MODE: 'delete', DIGEST_THRESHOLD: '0', DLQ_URL: undefined });

    // Assess
    expect(read).toThrow(/RESOLVE_MODE: must be one of: edit, post, edit-and-post/);
    expect(read).toThrow(/DIGEST_THRESHOLD: must be a whole number above 0/);
    expect(read).toThrow(/DLQ_URL/);
  });
});
