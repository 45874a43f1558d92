import { Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  ApiMapping,
  DomainName,
  EndpointType,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Unit, type Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import { FilterPattern, LogGroup, MetricFilter, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';

/**
 * The routes ingest answers: auto-detect, per source, per source and channel, and per source and channel with the
 * inbound secret as the last segment (chat-webhook URLs, whose senders can set no header).
 */
export const WEBHOOK_ROUTES = ['/hooks', '/hooks/{source}', '/hooks/{source}/{channel}', '/hooks/{source}/{channel}/{secret}'] as const;

/** A custom domain name for the API: a URL that outlives the API (a replaced stack gets a new execute-api host). */
export interface WebhookDomain {
  /** The name senders post to, such as `relay.example.com`. */
  readonly name: string;
  /** An ACM certificate covering `name`, in the stack's region (a regional endpoint needs one there). */
  readonly certificateArn: string;
  /** The Route 53 hosted zone to add the alias record to; without it, the DNS record is the team's to create. */
  readonly zone?: { readonly id: string; readonly name: string };
}

/** Props of {@link WebhookApi}. */
export interface WebhookApiProps {
  /** The function behind every route (ingest). */
  readonly handler: IFunction;
  /** Steady-state requests per second; more get 429, which most senders do not retry (see `limits.ts`). */
  readonly rateLimit: number;
  /** Requests that may arrive at once above the steady rate. */
  readonly burstLimit: number;
  /** How long access logs are kept. */
  readonly logRetention: RetentionDays;
  /** The namespace of the throttled-request count taken from the access log (the relay's own, `SpacesRelay`). */
  readonly metricsNamespace: string;
  /** A custom domain for the API, instead of the execute-api host only. */
  readonly domain?: WebhookDomain;
}

/**
 * The HTTP API senders post to: `POST /hooks[/{source}[/{channel}]]` into ingest, with stage throttling and JSON
 * access logs. No API Gateway authorizer: each sender authenticates its own way (HMAC signature over the raw body,
 * a token header, Basic or Bearer), and ingest verifies that before anything is parsed or queued.
 */
export class WebhookApi extends Construct {
  /** The API. */
  readonly api: HttpApi;
  /** Its only stage, `$default`. */
  readonly stage: HttpStage;
  /** Where the stage writes access logs. */
  readonly accessLogs: LogGroup;
  /**
   * Counts the requests API Gateway throttled (429) from the access log: an HTTP API publishes no metric of its own
   * for them (its `4xx` lumps them with the relay's own refusals).
   */
  readonly throttledRequests: MetricFilter;
  /** The custom domain, when one is configured; the execute-api URL keeps working beside it. */
  readonly domain?: DomainName;
  /** The base URL, ending in `/`: on the custom domain when there is one. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-webhooks`,
      description: 'Webhooks into the Spaces relay',
      // The default stage cannot be given throttling or access logs; the stage below replaces it.
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    this.throttledRequests = new MetricFilter(this, 'Throttled', {
      logGroup: this.accessLogs,
      // The log writes the status as a string (see ACCESS_LOG_FIELDS).
      filterPattern: FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: props.metricsNamespace,
      metricName: THROTTLED_METRIC,
      metricValue: '1',
      unit: Unit.COUNT,
      // A metric filter's dimensions come from the log event; the API id tells one team's API from another's.
      dimensions: { ApiId: '$.apiId' },
    });

    const integration = new HttpLambdaIntegration('Ingest', props.handler);
    for (const path of WEBHOOK_ROUTES) this.api.addRoutes({ path, methods: [HttpMethod.POST], integration });
    if (props.domain) this.domain = this.customDomain(props.domain);
    // The name as written, not the domain's Ref: the outputs then read as the URL senders use.
    this.url = props.domain ? `https://${props.domain.name}/` : this.stage.url;
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Webhook senders (Alertmanager, Grafana, GitHub, GitLab, SNS, ...) cannot obtain IAM or Cognito credentials; ' +
        'each authenticates with its own scheme (HMAC signature, token header, Basic/Bearer secret), which ingest ' +
        'verifies in constant time on the raw body before parsing or queueing anything.',
    });
  }

  /** The URL a sender of `source` posts to. */
  webhookUrl(source: string): string {
    return `${this.url}hooks/${source}`;
  }

  /** The domain name (regional, TLS 1.2), the stage mapped at its root, and the alias record when the zone is given. */
  private customDomain({ name, certificateArn, zone }: WebhookDomain): DomainName {
    const domain = new DomainName(this, 'Domain', {
      domainName: name,
      certificate: Certificate.fromCertificateArn(this, 'Certificate', certificateArn),
      endpointType: EndpointType.REGIONAL,
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    new ApiMapping(this, 'Mapping', { api: this.api, domainName: domain, stage: this.stage });
    if (zone) {
      new ARecord(this, 'Alias', {
        zone: HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: zone.id, zoneName: zone.name }),
        recordName: name,
        target: RecordTarget.fromAlias(
          new ApiGatewayv2DomainProperties(domain.regionalDomainName, domain.regionalHostedZoneId),
        ),
      });
    }
    return domain;
  }

  /** Requests throttled (429), summed over each period (five minutes unless `options` say otherwise). */
  metricThrottled(options: MetricOptions = {}): Metric {
    return this.throttledRequests.metric({ statistic: 'Sum', dimensionsMap: { ApiId: this.api.apiId }, ...options });
  }
}

/** The name of the throttled-request count, in the relay's namespace. */
const THROTTLED_METRIC = 'throttledRequests';

// HTTP API context variables (they differ from the REST API ones, so AccessLogFormat's presets do not fit). No
// `$context.path`: a chat-webhook URL carries the inbound secret as its last segment, and the log must not keep it;
// `routeKey` is the route's template (`POST /hooks/{source}/{channel}/{secret}`), and ingest logs source and channel.
const ACCESS_LOG_FIELDS = {
  apiId: '$context.apiId',
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
};
