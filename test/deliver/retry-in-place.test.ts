import { InProgressElsewhereError } from '../../lambda/deliver/deliver-once';
import { IN_PLACE_RETRY, inPlacePause } from '../../lambda/deliver/retry-in-place';
import { SpacesError } from '../../lambda/spaces/errors';

const plenty = { timeLeftMs: 300_000, settleMs: 1_000 };
const serverError = new SpacesError('post', 'HTTP 503', { status: 503, retryable: true });

describe('inPlacePause', () => {
  it('pauses 2 s, then 4 s, then gives the record back to the queue', () => {
    // Act
    const pauses = [1, 2, 3].map((round) => inPlacePause(serverError, round, IN_PLACE_RETRY, plenty));

    // Assess
    expect(pauses).toEqual([2_000, 4_000, undefined]);
  });

  it('waits as long as the limits ask, when the invocation has the time', () => {
    // Prepare
    const limited = new SpacesError('post', 'rate limit: the next free slot is 58000 ms away', { retryable: true, retryAfterMs: 58_000 });

    // Act & Assess
    expect(inPlacePause(limited, 1, IN_PLACE_RETRY, plenty)).toBe(58_000);
    expect(inPlacePause(limited, 1, IN_PLACE_RETRY, { ...plenty, timeLeftMs: 50_000 })).toBeUndefined();
  });

  it('looks for an unanswered post no sooner than the settle pause after it', () => {
    // Prepare
    const unanswered = new SpacesError('post', 'network error', { retryable: true, ambiguous: true });

    // Act & Assess
    expect(inPlacePause(unanswered, 1, { rounds: 3, pauseMs: 10 }, plenty)).toBe(1_000);
  });

  it('hands back at once what no pause fixes: a refusal, another invocation holding the notification', () => {
    // Prepare
    const refused = new SpacesError('post', 'HTTP 403', { status: 403, retryable: false });

    // Act & Assess
    expect(inPlacePause(refused, 1, IN_PLACE_RETRY, plenty)).toBeUndefined();
    expect(inPlacePause(new InProgressElsewhereError('k'), 1, IN_PLACE_RETRY, plenty)).toBeUndefined();
    expect(inPlacePause(new Error('S3 read failed'), 1, IN_PLACE_RETRY, plenty)).toBeUndefined();
  });
});
