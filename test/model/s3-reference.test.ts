import { findS3References, parseS3Reference, s3ConsoleUrl } from '../../lambda/model/s3-reference';

describe('parseS3Reference', () => {
  it.each([
    ['s3://reports/daily/summary.pdf', { bucket: 'reports', key: 'daily/summary.pdf' }],
    ['s3://reports/with space+plus.txt', { bucket: 'reports', key: 'with space+plus.txt' }],
    ['https://reports.s3.amazonaws.com/daily/summary.pdf', { bucket: 'reports', key: 'daily/summary.pdf' }],
    ['https://reports.s3.eu-west-1.amazonaws.com/a%20b%2Bc.png', { bucket: 'reports', key: 'a b+c.png' }],
    ['https://my.dotted.bucket.s3-eu-west-1.amazonaws.com/x.png', { bucket: 'my.dotted.bucket', key: 'x.png' }],
    ['https://reports.s3.dualstack.us-east-1.amazonaws.com/x.png', { bucket: 'reports', key: 'x.png' }],
    ['https://s3.amazonaws.com/reports/daily/summary.pdf', { bucket: 'reports', key: 'daily/summary.pdf' }],
    ['https://s3.eu-west-1.amazonaws.com/reports/x.png?versionId=v2', { bucket: 'reports', key: 'x.png', versionId: 'v2' }],
    ['https://s3.cn-north-1.amazonaws.com.cn/reports/x.png', { bucket: 'reports', key: 'x.png' }],
  ])('%s', (text, expected) => {
    expect(parseS3Reference(text)).toEqual(expected);
  });

  it.each([
    ['another host', 'https://example.com/reports/x.png'],
    ['plain http', 'http://reports.s3.amazonaws.com/x.png'],
    ['a static website endpoint', 'https://reports.s3-website-eu-west-1.amazonaws.com/x.png'],
    ['a bucket without a key', 'https://s3.amazonaws.com/reports'],
    ['a folder', 's3://reports/daily/'],
    ['a bad bucket name', 's3://Not_A_Bucket/x'],
    ['bad percent-encoding', 'https://reports.s3.amazonaws.com/%E0%A4%A'],
  ])('ignores %s', (_what, text) => {
    expect(parseS3Reference(text)).toBeUndefined();
  });
});

it('finds each S3 object in free text once, without trailing punctuation', () => {
  const text =
    'Dump at s3://dumps/heap-1.hprof. See [graph](https://graphs.s3.eu-west-1.amazonaws.com/cpu.png), and s3://dumps/heap-1.hprof again; runbook https://wiki.example.com/x';

  expect(findS3References(text)).toEqual([
    { bucket: 'dumps', key: 'heap-1.hprof' },
    { bucket: 'graphs', key: 'cpu.png' },
  ]);
});

it('builds the console URL of an object, key and version encoded', () => {
  expect(s3ConsoleUrl({ bucket: 'reports', key: 'a b/c&d.pdf', versionId: 'v1' }, 'eu-west-1')).toBe(
    'https://s3.console.aws.amazon.com/s3/object/reports?region=eu-west-1&prefix=a+b%2Fc%26d.pdf&versionId=v1',
  );
});
