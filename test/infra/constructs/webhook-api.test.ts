import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { WebhookApi } from '../../../infra/constructs/webhook-api';
import { idOf } from '../support/relay';

describe('WebhookApi', () => {
  let stack: Stack;
  let api: WebhookApi;
  let template: Template;

  beforeAll(() => {
    // Prepare
    stack = new Stack(undefined, 'Relay');
    const handler = LambdaFunction.fromFunctionArn(
      stack,
      'Ingest',
      'arn:aws:lambda:eu-west-1:123456789012:function:ingest',
    );
    // Act
    api = new WebhookApi(stack, 'Webhooks', {
      handler,
      rateLimit: 7,
      burstLimit: 21,
      logRetention: RetentionDays.ONE_WEEK,
      metricsNamespace: 'SpacesRelay',
    });
    template = Template.fromStack(stack);
  });

  it('routes POST /hooks, /hooks/{source}, /hooks/{source}/{channel} and /hooks/{source}/{channel}/{secret} to the handler, and nothing else', () => {
    // Assess
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey,
    );
    expect(routes.sort()).toEqual(['POST /hooks', 'POST /hooks/{source}', 'POST /hooks/{source}/{channel}', 'POST /hooks/{source}/{channel}/{secret}']);
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: 'arn:aws:lambda:eu-west-1:123456789012:function:ingest',
      PayloadFormatVersion: '2.0',
    });
  });

  it('throttles the only stage, $default, as configured', () => {
    // Assess
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 21 },
    });
  });

  it('writes JSON access logs with the request id to a log group with the retention', () => {
    // Assess
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]!;
    const settings = stage.Properties.AccessLogSettings;
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [idOf(api.accessLogs), 'Arn'] });
    expect(JSON.parse(settings.Format)).toMatchObject({
      apiId: '$context.apiId',
      requestId: '$context.requestId',
      sourceIp: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      integrationError: '$context.integrationErrorMessage',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('keeps the request path out of its access log: a chat-webhook URL ends in the inbound secret', () => {
    // Assess: only the route's template, never the path as requested
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]!;
    const format: string = stage.Properties.AccessLogSettings.Format;
    expect(format).not.toMatch(/\$context\.(path|resourcePath)|\$request\.path/);
    expect(format).toContain('$context.routeKey');
  });

  it('counts the requests it throttled from its access log, per API, since HTTP APIs publish no such metric', () => {
    // Assess
    template.resourceCountIs('AWS::Logs::MetricFilter', 1);
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: idOf(api.accessLogs) },
      // The access log writes the status as a string.
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [
        {
          MetricNamespace: 'SpacesRelay',
          MetricName: 'throttledRequests',
          MetricValue: '1',
          Unit: 'Count',
          Dimensions: [{ Key: 'ApiId', Value: '$.apiId' }],
        },
      ],
    });
  });

  it('offers that count as a metric of its own API, summed', () => {
    // Act
    const metric = api.metricThrottled().toMetricConfig().metricStat!;

    // Assess
    expect(stack.resolve(metric)).toMatchObject({
      namespace: 'SpacesRelay',
      metricName: 'throttledRequests',
      dimensions: [{ name: 'ApiId', value: { Ref: idOf(api.api) } }],
      statistic: 'Sum',
    });
    expect(metric.period.toSeconds()).toBe(300);
  });

  it('has no custom domain unless given one', () => {
    // Assess
    expect(api.domain).toBeUndefined();
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  it('builds a webhook URL per source under /hooks', () => {
    // Act
    const url = stack.resolve(api.webhookUrl('grafana'));

    // Assess
    expect(url).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: idOf(api.api) },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/hooks/grafana',
        ],
      ],
    });
  });
});

describe('WebhookApi with a custom domain', () => {
  const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

  /** The construct on a domain, with or without the hosted zone, and its template. */
  function withDomain(zone?: { id: string; name: string }) {
    const stack = new Stack(undefined, 'Relay', { env: { account: '123456789012', region: 'eu-west-1' } });
    const handler = LambdaFunction.fromFunctionArn(stack, 'Ingest', 'arn:aws:lambda:eu-west-1:123456789012:function:ingest');
    const api = new WebhookApi(stack, 'Webhooks', {
      handler,
      rateLimit: 7,
      burstLimit: 21,
      logRetention: RetentionDays.ONE_WEEK,
      metricsNamespace: 'SpacesRelay',
      domain: { name: 'relay.example.com', certificateArn: CERTIFICATE, zone },
    });
    return { stack, api, template: Template.fromStack(stack) };
  }

  it('serves the name on a regional endpoint with TLS 1.2 and the certificate, the stage mapped at its root', () => {
    // Act
    const { api, template } = withDomain();

    // Assess
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'relay.example.com',
      DomainNameConfigurations: [{ CertificateArn: CERTIFICATE, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
    });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      ApiId: { Ref: idOf(api.api) },
      DomainName: { Ref: idOf(api.domain!) },
      Stage: '$default',
      ApiMappingKey: Match.absent(),
    });
    // The mapping names the stage by its name alone: it must wait for the stage to exist.
    const mapping = Object.values(template.findResources('AWS::ApiGatewayV2::ApiMapping'))[0]!;
    expect(mapping.DependsOn).toContain(idOf(api.stage));
  });

  it('adds no DNS record without a hosted zone', () => {
    // Act
    const { template } = withDomain();

    // Assess
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  it('adds an alias record for the name to the hosted zone given', () => {
    // Act
    const { api, template } = withDomain({ id: 'Z0123456789ABCDEFGHIJ', name: 'example.com' });

    // Assess
    template.resourceCountIs('AWS::Route53::RecordSet', 1);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      Name: 'relay.example.com.',
      Type: 'A',
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [idOf(api.domain!), 'RegionalDomainName'] },
        HostedZoneId: { 'Fn::GetAtt': [idOf(api.domain!), 'RegionalHostedZoneId'] },
      },
    });
  });

  it('builds its URLs on the domain', () => {
    // Act
    const { api } = withDomain();

    // Assess
    expect(api.url).toBe('https://relay.example.com/');
    expect(api.webhookUrl('grafana')).toBe('https://relay.example.com/hooks/grafana');
  });
});
