import { asEventBridge, consoleUrl, isAwsEvent, parseArn } from '../../lambda/sources/aws';
import { fixtureJson } from '../support/fixtures';

describe('consoleUrl', () => {
  it.each([
    ['us-east-1', 'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/A'],
    ['cn-north-1', 'https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#alarmsV2:alarm/A'],
    ['us-gov-west-1', 'https://us-gov-west-1.console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#alarmsV2:alarm/A'],
  ])('links into the console of %s’s partition', (region, url) => {
    // Act
    const link = consoleUrl(region, 'cloudwatch/home', 'alarmsV2:alarm/A');

    // Assess
    expect(link).toBe(url);
  });

  it.each(['APAC - Tokyo', 'us-east-1.evil.com/x', 'REGION', '', undefined])('makes no link for a region that is not a region code (%s)', (region) => {
    // Act
    const link = consoleUrl(region, 'cloudwatch/home');

    // Assess
    expect(link).toBeUndefined();
  });
});

describe('parseArn', () => {
  it('keeps the colons of the resource', () => {
    // Act
    const arn = parseArn('arn:aws:codebuild:us-west-2:123456789012:build/my-project:8745a7a9');

    // Assess
    expect(arn).toEqual({ partition: 'aws', service: 'codebuild', region: 'us-west-2', account: '123456789012', resource: 'build/my-project:8745a7a9' });
  });

  it.each(['arn:aws:sns:EXAMPLE', 'not an arn', undefined])('is undefined for %s', (text) => {
    // Assess
    expect(parseArn(text)).toBeUndefined();
  });
});

describe('asEventBridge', () => {
  it('gives a CodeStar notification the EventBridge names, and an id made from its content', () => {
    // Prepare
    const notification = fixtureJson('aws_codepipeline', 'codestar_notification_processed_succeeded.json');

    // Act
    const event = asEventBridge(notification) as Record<string, unknown>;

    // Assess
    expect(event['detail-type']).toBe('CodePipeline Pipeline Execution State Change');
    expect(event.detailType).toBeUndefined();
    expect(event.id).toMatch(/^notification:[0-9a-f]{40}$/);
    expect(isAwsEvent(notification, 'aws.codepipeline', ['CodePipeline Pipeline Execution State Change'])).toBe(true);
  });

  it('leaves an EventBridge event as it is', () => {
    // Prepare
    const event = fixtureJson('aws_codepipeline', 'pipeline_execution_state_change_failed.json');

    // Act
    const same = asEventBridge(event);

    // Assess
    expect(same).toBe(event);
  });
});
