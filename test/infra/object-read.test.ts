import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { grantObjectRead, type ObjectScope } from '../../infra/object-read';
import { idOf } from './support/relay';

const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/k-1';
const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
const viaS3 = {
  StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
};

function granted(scopes: ObjectScope[]) {
  const app = new App();
  const stack = new Stack(app, 'Relay');
  const role = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  grantObjectRead(role, scopes);
  const template = Template.fromStack(stack);
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: idOf(role) }] } }),
  );
  return { app, role, policies, statements: (policies[0]?.Properties.PolicyDocument.Statement ?? []) as unknown[] };
}

describe('grantObjectRead', () => {
  it('allows reading objects and their versions under each prefix and suffix, and decrypting through S3 only', () => {
    // Act
    const { statements } = granted([
      { name: 'reports', prefix: 'daily/', suffix: '.pdf' },
      { name: 'reports', prefix: 'incidents/', kmsKeyArn: KEY },
      { name: 'artifacts', kmsKeyArn: KEY },
    ]);

    // Assess
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: [
          partitionArn(':s3:::reports/daily/*.pdf'),
          partitionArn(':s3:::reports/incidents/*'),
          partitionArn(':s3:::artifacts/*'),
        ],
      },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY, Condition: viaS3 },
    ]);
  });

  it('names each key pattern once, and asks for no decryption when no bucket has a key', () => {
    // Act
    const { statements } = granted([{ name: 'uploads' }, { name: 'uploads' }, { name: 'logs', prefix: 'app/' }]);

    // Assess
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: [partitionArn(':s3:::uploads/*'), partitionArn(':s3:::logs/app/*')],
      },
    ]);
  });

  it('takes the IAM wildcards and the policy-variable sign in a prefix or suffix literally', () => {
    // Act
    const { statements } = granted([{ name: 'reports', prefix: 'q?/$HOME/', suffix: '.*' }]);

    // Assess
    expect(statements).toEqual([
      expect.objectContaining({ Resource: partitionArn(':s3:::reports/q${?}/${$}HOME/*.${*}') }),
    ]);
  });

  it('grants nothing when there is nothing to read', () => {
    // Act
    const { policies } = granted([]);

    // Assess
    expect(policies).toEqual([]);
  });

  it('acknowledges the object-key wildcards for cdk-nag, each with the bucket and prefix it is limited to', () => {
    // Prepare
    const { app, role } = granted([
      { name: 'reports', prefix: 'q?/$', suffix: '.pdf' },
      { name: 'artifacts', kmsKeyArn: KEY },
    ]);

    // Act
    const report = new AwsSolutionsChecks().validateScope(app);
    const reasons = role.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.values(entry.data as Record<string, string>));

    // Assess
    expect(report.violations).toEqual([]);
    expect(reasons).toEqual([
      expect.stringContaining('bucket reports (under q?/$, ending in .pdf)'),
      expect.stringContaining('bucket artifacts,'),
    ]);
  });

  it("acknowledges the wildcards on a bucket of the app, of the role's stack or of another, as cdk-nag names them", () => {
    // Prepare
    const app = new App();
    const data = new Stack(app, 'Data');
    const stack = new Stack(app, 'Relay');
    const role = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const own = new Bucket(stack, 'Uploads');
    const other = new Bucket(data, 'Archive');
    grantObjectRead(role, [{ name: own.bucketName, prefix: 'r/' }, { name: other.bucketName }]);
    Template.fromStack(stack);

    // Act
    const report = new AwsSolutionsChecks().validateScope(role);

    // Assess
    expect(report.violations).toEqual([]);
  });
});
