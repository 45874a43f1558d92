import { SpacesError } from '../../lambda/spaces/errors';
import { scaleLimits, SPACES_LIMITS, SpacesRateLimiter, type SpacesLimits } from '../../lambda/spaces/rate-limit';

/** A limiter on a hand-moved clock: `sleep` advances it, so waits are measured, not sat out. */
function limiterWith(limits: SpacesLimits, maxWaitMs = 60_000) {
  let now = 0;
  const slept: number[] = [];
  const limiter = new SpacesRateLimiter({
    limits,
    maxWaitMs,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  });
  return { limiter, slept, advance: (ms: number) => (now += ms) };
}

const SMALL: SpacesLimits = {
  perEndpoint: { limit: 2, windowMs: 1_000 },
  getUploadUrl: { limit: 1, windowMs: 1_000 },
  overall: { limit: 3, windowMs: 10_000 },
};

describe('SpacesRateLimiter', () => {
  it('lets calls through until an endpoint limit, then waits for the window to slide', async () => {
    // Prepare
    const { limiter, slept } = limiterWith(SMALL);

    // Act
    await limiter.acquire('post');
    await limiter.acquire('post');
    await limiter.acquire('post');

    // Assess
    expect(slept).toEqual([1_000]);
  });

  it('counts every endpoint against the overall limit', async () => {
    // Prepare
    const { limiter, slept, advance } = limiterWith(SMALL);

    // Act: 3 calls spread over endpoints fill the overall window of 10 s; the 4th waits for the first to leave it.
    await limiter.acquire('post');
    advance(100);
    await limiter.acquire('edit');
    advance(100);
    await limiter.acquire('query');
    await limiter.acquire('getuploadurl');

    // Assess
    expect(slept).toEqual([10_000 - 200]);
  });

  it('holds an endpoint back for the Retry-After of a 429, and only that endpoint', async () => {
    // Prepare
    const { limiter, slept } = limiterWith(SMALL);

    // Act
    limiter.throttled('post', 2_500);
    await limiter.acquire('edit');
    await limiter.acquire('post');

    // Assess
    expect(slept).toEqual([2_500]);
  });

  it('refuses to wait longer than allowed, with a retryable error that says how long', async () => {
    // Prepare
    const { limiter } = limiterWith(SMALL, 500);
    await limiter.acquire('getuploadurl');

    // Act
    const attempt = limiter.acquire('getuploadurl');

    // Assess
    await expect(attempt).rejects.toMatchObject({ retryable: true, retryAfterMs: 1_000 });
    await expect(attempt).rejects.toBeInstanceOf(SpacesError);
  });

  it('splits the documented limits between concurrent invocations, keeping headroom, on a scaled clock', () => {
    // Act
    const share = scaleLimits(SPACES_LIMITS, { share: 2, headroom: 0.1, timeScale: 0.01 });

    // Assess
    expect(share).toEqual({
      perEndpoint: { limit: 27, windowMs: 600 },
      getUploadUrl: { limit: 13, windowMs: 600 },
      overall: { limit: 270, windowMs: 3_000 },
    });
  });
});
