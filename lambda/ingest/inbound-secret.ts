/**
 * The inbound secret over its rotations: which values a request may carry now. After a rotation the previous value
 * stays valid for a grace period, so that senders can move over one by one; a request with the new value is
 * accepted at once, even by an instance that still holds the old one, because a request that matches nothing makes
 * ingest read the secret again (at most once per {@link REREAD_INTERVAL_MS}, so a flood of bad requests cannot
 * hammer the store). Deployed, the store is Secrets Manager (`secrets-manager-secret.ts`); locally, `WEBHOOK_TOKEN`
 * through {@link fixedInboundSecret}, by the same code.
 */
import { logger } from '../runtime/logger';
import { registerSecret } from '../runtime/redact';

/** One version of the inbound secret. */
export interface InboundSecretVersion {
  /** Changes whenever the value does (Secrets Manager's `VersionId`). */
  readonly id: string;
  readonly value: string;
  /** When this version was created: the rotation that made it the current one. */
  readonly created: Date;
}

/** Where the inbound secret is kept. */
export interface InboundSecretStore {
  /** The version in use (Secrets Manager's `AWSCURRENT`). */
  current(): Promise<InboundSecretVersion>;
  /** The value the current version replaced (`AWSPREVIOUS`), if there is one. */
  previous(): Promise<string | undefined>;
}

/** The values a request may carry now: the current one, and the previous one during its grace period. */
export interface ValidSecrets {
  /** The id of the current version: what `reread` compares with. */
  readonly version: string;
  readonly current: string;
  readonly previous?: string;
}

/** The inbound secret as ingest checks requests against it. */
export interface InboundSecrets {
  /** The values valid now, read from the store at most {@link SECRET_MAX_AGE_MS} ago. */
  valid(): Promise<ValidSecrets>;
  /**
   * For a request that matched none of `seen`: the values valid now if they changed since (another request's read
   * or a read of the store now), else `undefined`; also `undefined` when the store was read again less than
   * {@link REREAD_INTERVAL_MS} ago or cannot be read.
   */
  reread(seen: ValidSecrets): Promise<ValidSecrets | undefined>;
}

/**
 * How long a read of the store is used. The new value is picked up at once anyway (a request with it makes ingest
 * read again); this bounds how long a value taken out of use (a second rotation, or one without grace) is still
 * accepted.
 */
export const SECRET_MAX_AGE_MS = 60_000;
/** The shortest time between two reads of the store caused by requests that matched nothing. */
export const REREAD_INTERVAL_MS = 5_000;

/** What was read from the store, and when. */
interface Held {
  readonly current: InboundSecretVersion;
  readonly previous?: string;
  readonly readAt: number;
}

/**
 * The inbound secret kept in `store`: the current value, and the previous one until `graceMs` after the current
 * version was created (0: never). Reads are cached per instance and shared by concurrent requests.
 */
export function inboundSecrets(store: InboundSecretStore, { graceMs }: { readonly graceMs: number }): InboundSecrets {
  let held: Held | undefined;
  let reading: Promise<Held> | undefined;
  let rereadAt = Number.NEGATIVE_INFINITY;

  const inGrace = (current: InboundSecretVersion): boolean => Date.now() < current.created.getTime() + graceMs;

  async function read(): Promise<Held> {
    const current = await store.current();
    // AWSPREVIOUS moves when AWSCURRENT does: for the same current version the previous value is the one already held.
    const previous =
      held?.current.id === current.id ? held.previous : inGrace(current) ? await store.previous() : undefined;
    // Whatever a request or an error quotes, neither value may leave the process (see `redact.ts`).
    registerSecret(current.value);
    registerSecret(previous);
    return { current, previous, readAt: Date.now() };
  }

  /** One read at a time: requests that need one while it runs share it. */
  function readShared(): Promise<Held> {
    reading ??= read()
      .then((fresh) => (held = fresh))
      .finally(() => {
        reading = undefined;
      });
    return reading;
  }

  const view = ({ current, previous }: Held): ValidSecrets =>
    previous !== undefined && inGrace(current)
      ? { version: current.id, current: current.value, previous }
      : { version: current.id, current: current.value };

  return {
    valid: async () => view(held && Date.now() - held.readAt < SECRET_MAX_AGE_MS ? held : await readShared()),
    reread: async (seen) => {
      if (held && held.current.id !== seen.version) return view(held);
      if (!reading) {
        if (Date.now() - rereadAt < REREAD_INTERVAL_MS) return undefined;
        rereadAt = Date.now();
      }
      try {
        const fresh = await readShared();
        return fresh.current.id === seen.version ? undefined : view(fresh);
      } catch (error) {
        // The request is refused as it would have been; the next regular read will try the store again.
        logger.warn('the inbound secret could not be read again', { error: error as Error });
        return undefined;
      }
    },
  };
}

/** An inbound secret that never rotates: local mode's `WEBHOOK_TOKEN`. */
export function fixedInboundSecret(value: string): InboundSecretStore {
  const version: InboundSecretVersion = { id: 'fixed', value, created: new Date(0) };
  return { current: async () => version, previous: async () => undefined };
}
