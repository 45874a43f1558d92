/**
 * What `spaces-relay doctor` checks, one function per concern, each answering with lines that say what holds and,
 * when it does not, what to do. A check never throws for what it looks at: a failure is a ✗ line.
 */
import { paginateListSubscriptionsByTopic, type Subscription } from '@aws-sdk/client-sns';
import { reasonOf } from './errors';
import { messageCounts } from './dead-letter-queue';
import { describeCredential, readOnlySpacesClient, readTeamCredential, type TeamCredential } from './team-secrets';
import type { TeamTarget } from './team-stack';
import { hookUrl, postWebhook, senderProof } from './webhook';
import type { SpacesUser } from '../lambda/spaces/client';
import { SpacesError } from '../lambda/spaces/errors';

/** One line of the report. */
export interface CheckResult {
  readonly ok: boolean;
  /** What was checked, then what was found and, for a ✗, what to do. */
  readonly line: string;
}

const pass = (line: string): CheckResult => ({ ok: true, line });
const fail = (line: string): CheckResult => ({ ok: false, line });

/** The token secret exists, may be read, and holds a credential the relay can use. */
export async function checkTokenSecret(target: TeamTarget): Promise<{ result: CheckResult; credential?: TeamCredential }> {
  const secretId = target.team.config.tokenSecret;
  try {
    const credential = await readTeamCredential(target.clients.secretsManager, secretId);
    return { result: pass(`token secret ${secretId}: readable, ${describeCredential(credential)}`), credential };
  } catch (error) {
    return { result: fail(`token secret ${secretId}: ${reasonOf(error)}`) };
  }
}

/** The token works: Spaces names its user. */
export async function checkToken(
  spacesApiUrl: string,
  credential: TeamCredential | undefined,
): Promise<{ result: CheckResult; user?: SpacesUser }> {
  if (!credential) return { result: fail('the token works: not checked, there is no token to try (see above)') };
  if (!credential.credential) {
    return {
      result: fail(
        'the token works: not checked, the OAuth access token has expired and only deliver renews it; ' +
          'post something (spaces-relay send) and run doctor again',
      ),
    };
  }
  try {
    const user = await readOnlySpacesClient(spacesApiUrl, credential.secretId, credential.credential).currentUser();
    return { result: pass(`the token works: ${spacesApiUrl} knows it as ${user.name} (${user.id})`), user };
  } catch (error) {
    return { result: fail(`the token works: ${reasonOf(error)}; check spacesApiUrl in the team config if it is not the tenant's region`) };
  }
}

/**
 * The token's user may read every configured space: the call deliver itself makes to find out whether a post landed
 * (`GET /api/spaces/{id}/messages/query`). Spaces answers 403 to someone who is not a member, 404 to an unknown space.
 */
export async function checkSpaces(
  target: TeamTarget,
  spacesApiUrl: string,
  credential: TeamCredential | undefined,
  user: SpacesUser | undefined,
): Promise<CheckResult[]> {
  const channels = Object.entries(target.team.config.channels);
  if (!credential?.credential || !user) {
    return channels.map(([channel, space]) => fail(`member of space ${space} (channel ${channel}): not checked, the token does not work`));
  }
  const spaces = readOnlySpacesClient(spacesApiUrl, credential.secretId, credential.credential);
  return Promise.all(
    channels.map(async ([channel, space]) => {
      const what = `${user.name} is a member of space ${space} (channel ${channel})`;
      try {
        await spaces.recentMessages(space, 1);
        return pass(what);
      } catch (error) {
        const status = error instanceof SpacesError ? error.status : undefined;
        if (status === 403) return fail(`${what}: no, Spaces answered 403; invite ${user.name} to the space`);
        if (status === 404) {
          return fail(`${what}: Spaces knows no such space; fix channels.${channel} in ${target.team.origin} (or spacesApiUrl)`);
        }
        return fail(`${what}: ${reasonOf(error)}`);
      }
    }),
  );
}

/**
 * The webhook API answers, and ingest takes the inbound secret: a request with the sender's proof and a body no
 * source accepts (`[]`) is refused with 400 after it was authenticated, and queues nothing. Without a source to prove
 * the secret with, the API is asked at `/hooks`, which answers 400 before authentication.
 */
export async function checkApi(target: TeamTarget, apiUrl: string, inboundSecret: string): Promise<CheckResult> {
  const source = target.team.config.sources.find((name) => name !== 'sns');
  const body = Buffer.from('[]');
  const url = hookUrl(apiUrl, source);
  const what = `the API answers at ${url}`;
  try {
    const headers = { 'content-type': 'application/json', ...(source ? senderProof(source, body, inboundSecret) : {}) };
    const answer = await postWebhook(url, body, headers);
    if (answer.accepted) return fail(`${what}: it accepted an empty probe (${answer.status} ${answer.id}); ingest should refuse it, look at its logs`);
    if (answer.status === 400) {
      return pass(`${what}: ${source ? 'ingest took the inbound secret and refused the empty probe' : 'ingest refused the empty probe'} (400, nothing queued)`);
    }
    if (answer.status === 401) {
      return fail(`${what}: the inbound secret was refused (401 ${answer.message}); is InboundSecretArn the secret ingest reads?`);
    }
    if (answer.status === 404) return fail(`${what}: 404 ${answer.message}; the stack may predate the team config, deploy it again`);
    return fail(`${what}: unexpected ${answer.status} ${answer.error}: ${answer.message}; look at the ingest function's logs`);
  } catch (error) {
    return fail(`${what}: ${reasonOf(error)}`);
  }
}

/**
 * Someone besides the team's space hears of the relay's alarms: a confirmed subscription to the alarm topic other than
 * the delivery queue's (the relay's own SQS subscription), or a topic of the team's own that the alarms publish to.
 */
export async function checkAlarmSubscriptions(target: TeamTarget, alarmTopicArn: string): Promise<CheckResult> {
  const what = "the relay's alarms reach someone";
  let subscriptions: Subscription[] = [];
  try {
    for await (const page of paginateListSubscriptionsByTopic({ client: target.clients.sns }, { TopicArn: alarmTopicArn })) {
      subscriptions.push(...(page.Subscriptions ?? []));
    }
  } catch (error) {
    return fail(`${what}: ${reasonOf(error)}`);
  }
  subscriptions = subscriptions.filter((subscription) => subscription.Protocol !== 'sqs');
  const pending = subscriptions.filter((subscription) => subscription.SubscriptionArn === 'PendingConfirmation');
  const confirmed = subscriptions.filter((subscription) => subscription.SubscriptionArn?.startsWith('arn:'));
  const topics = target.team.config.alarmSubscriptions.topicArns;
  const waiting = pending.length > 0 ? `; ${pending.length} wait for confirmation (the link in the e-mail, or the endpoint's answer)` : '';
  if (confirmed.length + topics.length === 0) {
    return fail(
      `${what}: no, only the team's space hears of them${waiting}; list emails, httpsEndpoints or topicArns under ` +
        `alarmSubscriptions in ${target.team.origin} and deploy`,
    );
  }
  const kinds = [...new Set(confirmed.map((subscription) => subscription.Protocol))].join(', ');
  const parts = [
    ...(confirmed.length > 0 ? [`${confirmed.length} confirmed subscription(s) (${kinds})`] : []),
    ...(topics.length > 0 ? [`alarms also publish to ${topics.length} topic(s) of the team's`] : []),
  ];
  return pass(`${what}: ${parts.join(', and ')}${waiting}`);
}

/** Nothing waits in the dead-letter queue. */
export async function checkDeadLetters(target: TeamTarget, dlqUrl: string): Promise<CheckResult> {
  const what = 'the dead-letter queue is empty';
  try {
    const { visible, inFlight } = await messageCounts(target.clients.sqs, dlqUrl);
    const waiting = visible + inFlight;
    if (waiting === 0) return pass(what);
    return fail(
      `${what}: no, ${waiting} notification(s) wait there; see why with spaces-relay dead-letters list --team ${target.team.name}, ` +
        `and once fixed send them back with spaces-relay dead-letters redrive --team ${target.team.name}`,
    );
  } catch (error) {
    return fail(`${what}: ${reasonOf(error)}`);
  }
}
