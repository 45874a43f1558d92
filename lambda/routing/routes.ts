/**
 * The team's routes (`ROUTES`, the team config's `routes`): an ordered list of `{match, channel}` and
 * `{match, drop: true}`, applied to every notification whatever its source, webhook or AWS event alike. The first
 * rule that matches decides: it sends the notification to its channel, or drops it. A notification no rule matches
 * keeps the channel it had: the one its webhook path named (`/hooks/{source}/{channel}`), the one of its S3 bucket
 * rule, else `default`. Pure: the caller logs and counts the drops (`routed.ts`).
 */
import * as v from 'valibot';
import type { QueuedNotification } from '../model/notification';
import { compileMatch, knownKeys, MatchSchema, type MessageTest } from './match';

/** More rules than anyone reads in order; the functions' environment (4 KB in all) holds far fewer. */
const MAX_ROUTES = 50;

const RouteSchema = v.pipe(
  knownKeys({
    match: MatchSchema,
    // Checked against the channels by whoever knows them (`unknownChannels`).
    channel: v.optional(v.pipe(v.string(), v.nonEmpty('must not be empty'))),
    drop: v.optional(v.literal(true, 'must be true (leave it out to route)')),
  }),
  v.check((route) => (route.channel === undefined) !== (route.drop === undefined), 'needs either "channel" or "drop": true, not both'),
);
export type Route = v.InferOutput<typeof RouteSchema>;

export const RoutesSchema = v.pipe(v.array(RouteSchema), v.maxLength(MAX_ROUTES, `must have at most ${MAX_ROUTES} rules`));
export type Routes = v.InferOutput<typeof RoutesSchema>;

/** The indexes of the routes that name a channel not among `channels`. */
export function unknownChannels(routes: Routes, channels: Readonly<Record<string, string>>): number[] {
  return routes.flatMap((route, index) => (route.channel !== undefined && !Object.hasOwn(channels, route.channel) ? [index] : []));
}

/** A route ready to apply: its match compiled. */
export interface CompiledRoute {
  readonly matches: MessageTest;
  readonly channel?: string;
  readonly drop?: true;
}

/** Compiles the routes once, at start-up. */
export function compileRoutes(routes: Routes): CompiledRoute[] {
  return routes.map(({ match, channel, drop }) => ({ matches: compileMatch(match), channel, drop }));
}

/** What the routes made of some notifications: those to deliver (on their channel) and those dropped, with the rule. */
export interface Routed {
  readonly kept: QueuedNotification[];
  readonly dropped: { readonly notification: QueuedNotification; readonly rule: number }[];
}

/** Applies the routes, first match wins, to each notification; order is kept. */
export function routeNotifications(notifications: readonly QueuedNotification[], routes: readonly CompiledRoute[]): Routed {
  const kept: QueuedNotification[] = [];
  const dropped: Routed['dropped'] = [];
  for (const notification of notifications) {
    const rule = routes.findIndex((route) => route.matches(notification.message));
    const route = routes[rule];
    if (!route) kept.push(notification);
    else if (route.drop) dropped.push({ notification, rule });
    else kept.push({ ...notification, channel: route.channel! });
  }
  return { kept, dropped };
}
