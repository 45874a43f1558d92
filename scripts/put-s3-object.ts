/**
 * Puts a local file into a local S3 (moto_server, MinIO) for trying the S3 flow of `npm start`:
 *   npx tsx scripts/put-s3-object.ts <bucket> <key> <file> [content-type]
 * Creates the bucket if needed. Talks to `AWS_ENDPOINT_URL` (required: this is not meant for real AWS), path-style,
 * with dummy credentials unless the environment has some.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createReadStream, statSync } from 'node:fs';

async function main(): Promise<void> {
  const [bucket, key, file, contentType] = process.argv.slice(2);
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!bucket || !key || !file) throw new Error('usage: npx tsx scripts/put-s3-object.ts <bucket> <key> <file> [content-type]');
  if (!endpoint) throw new Error('set AWS_ENDPOINT_URL to the local S3, e.g. http://127.0.0.1:5000');
  const s3 = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: process.env.AWS_ACCESS_KEY_ID ? undefined : { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: Error) => {
    if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
  });
  const size = statSync(file).size;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(file), ContentLength: size, ContentType: contentType }));
  process.stdout.write(`put s3://${bucket}/${key} (${size} bytes) at ${endpoint}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
