/**
 * Real AWS APIs (S3, SQS, CloudFormation, DynamoDB) for tests and benchmarks: `moto_server` on a free 127.0.0.1 port,
 * with dummy credentials and path-style addressing. When moto_server is not installed the caller fails with a message saying so — a test that
 * needs S3 must never pass without it.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';

export interface Moto {
  readonly endpoint: string;
  /** A client for arranging fixtures (buckets, objects), talking to this moto_server. */
  readonly client: S3Client;
  /** Client options pointing at it, with dummy credentials, for the other SDK clients. */
  readonly clientConfig: { endpoint: string; region: string; credentials: typeof MOTO_CREDENTIALS };
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Dummy credentials: moto accepts any, the SDK insists on some. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export function motoClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: MOTO_CREDENTIALS,
    // Keep request bodies plain (no aws-chunked trailers), so any moto version stores exactly what was sent.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

export async function startMoto(timeoutMs = 20_000): Promise<Moto> {
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`moto_server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error('moto_server is not installed (it is not on PATH): the S3 tests need it — `npm test` installs it (pinned in requirements-test.txt)')
          : error,
      );
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited with code ${code} before it was ready:\n${output}`));
    });
  });
  const client = motoClient(endpoint);
  return {
    endpoint,
    client,
    clientConfig: { endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS },
    createBucket: async (name) => void (await client.send(new CreateBucketCommand({ Bucket: name }))),
    stop: async () => {
      client.destroy();
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Creates deliver's state table as the stack does (partition key `id`, on demand) — idempotency records, journal,
 * leases — on `dynamoDb`, a client of the moto_server under test.
 */
export async function createStateTable(dynamoDb: DynamoDBClient, tableName: string): Promise<void> {
  await dynamoDb.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}
