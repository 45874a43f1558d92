/**
 * What a team's relay would make of a payload, worked out here as its functions work it out: deliver's settings read
 * from the variables the team's stack gives them, and `previewPayload` (the page's and `render`'s preview) applying
 * them — the source's own reading, then the team's routes, which may send a message to another channel or drop it.
 */
import { STATE_TTL_SECONDS } from '../infra/limits';
import type { Team } from '../infra/team-config';
import { functionSettings } from '../infra/team-settings';
import { previewPayload, type PreviewRequest, type PreviewSettings } from '../lambda/render/preview';
import { readDeliverSettings } from '../lambda/runtime/config';
import { ConfigError } from '../lambda/runtime/errors';
import { CliError } from './errors';

/** Without a team: one `default` channel and no settings, routes or templates. */
const NO_TEAM = { CHANNELS: JSON.stringify({ default: 'default' }), STATE_TTL_SECONDS: String(STATE_TTL_SECONDS) };

/** Deliver's settings for `team` (or for none), through the same variables and reader as its stack's function. */
export function previewSettings(team: Team | undefined): PreviewSettings {
  try {
    return readDeliverSettings(team === undefined ? NO_TEAM : functionSettings(team.config).deliver);
  } catch (error) {
    // The team config was checked as it was read; a setting the function refuses would stop it at start-up too.
    if (error instanceof ConfigError) throw new CliError(error.message, { cause: error });
    throw error;
  }
}

/**
 * The channel of each message the team's relay would queue for `request`, in order, after its routes: none when a
 * route drops them all (or the source says nothing). Throws the relay's own `HttpError` for a payload it would refuse.
 */
export function routedChannels(team: Team, request: PreviewRequest): string[] {
  return previewPayload(request, previewSettings(team)).map((message) => message.channel);
}
