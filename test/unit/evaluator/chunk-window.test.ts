import fc from 'fast-check';
import {
  allChunksCounted,
  chunkWindow,
  DEFAULT_CHUNK_WINDOW,
  inFlightChunks,
  initialSent,
  sentCount,
  shouldSendClaim,
  windowOf,
  windowRoom,
} from '#shared/domain/evaluator/chunk-window.js';
import { messagesOfChunks, planChunks } from '#shared/domain/evaluator/plan.js';

const plan = (chunkCount: number, window?: number) => ({ chunk_size: 10, chunk_count: chunkCount, ...(window ? { chunk_window: window } : {}) });

describe('the chunk window', () => {
  it('pins the configured window in a new plan, and the default when none is configured', () => {
    expect(planChunks(1000, 100, 3)).toEqual({ chunk_size: 100, chunk_count: 10, chunk_window: 3 });
    expect(planChunks(1000, 100).chunk_window).toBe(DEFAULT_CHUNK_WINDOW);
    expect(chunkWindow(0)).toBe(DEFAULT_CHUNK_WINDOW);
  });

  it('starts with the first window of chunks, or the whole plan when it is smaller', () => {
    expect(initialSent(plan(200, 4))).toBe(4);
    expect(initialSent(plan(3, 4))).toBe(3);
  });

  it('treats an evaluation planned before the window as having sent every chunk', () => {
    expect(windowOf(plan(200))).toBe(200);
    expect(sentCount({ plan: plan(200) })).toBe(200);
    expect(windowRoom(plan(200), 200, 5)).toBe(0);
  });

  it('has room for one more chunk per chunk counted, never past the plan', () => {
    expect(windowRoom(plan(10, 4), 4, 0)).toBe(0);
    expect(windowRoom(plan(10, 4), 4, 1)).toBe(1);
    expect(windowRoom(plan(10, 4), 5, 1)).toBe(0);
    // A claim lost in a crash leaves room that a later top-up fills.
    expect(windowRoom(plan(10, 4), 4, 3)).toBe(3);
    expect(windowRoom(plan(10, 4), 9, 8)).toBe(1);
    expect(windowRoom(plan(10, 4), 10, 8)).toBe(0);
  });

  it('re-sends only the claimed chunks not yet counted', () => {
    expect(inFlightChunks(6, new Set([0, 1, 3]))).toEqual([2, 4, 5]);
    expect(inFlightChunks(0, new Set())).toEqual([]);
  });

  it('builds the message of each chunk given, the last one short', () => {
    const messages = messagesOfChunks('t', 'e', 25, plan(3, 2), [2, 0]);
    expect(messages.map(({ chunk, first_position, count }) => ({ chunk, first_position, count }))).toEqual([
      { chunk: 2, first_position: 20, count: 5 },
      { chunk: 0, first_position: 0, count: 10 },
    ]);
  });

  it('calls a cancelled evaluation whole once the chunks it claimed are counted, a running one only at the end', () => {
    expect(allChunksCounted({ plan: plan(10, 2), chunks_sent: 4, chunks_done: 4, status: 'cancelled' })).toBe(true);
    expect(allChunksCounted({ plan: plan(10, 2), chunks_sent: 4, chunks_done: 3, status: 'cancelled' })).toBe(false);
    expect(allChunksCounted({ plan: plan(10, 2), chunks_sent: 4, chunks_done: 4, status: 'running' })).toBe(false);
    expect(allChunksCounted({ plan: plan(10, 2), chunks_sent: 10, chunks_done: 10, status: 'running' })).toBe(true);
    expect(allChunksCounted({ chunks_done: 0, status: 'cancelled' })).toBe(false);
  });

  it('sends a claim it made; one made before only when unrecorded and older than the grace', () => {
    const now = 100_000;
    expect(shouldSendClaim({ made: true, claimedAt: now, sent: false }, now, 30_000)).toBe(true);
    // Its claimer is probably sending it right now: a duplicate running alongside leaves it.
    expect(shouldSendClaim({ made: false, claimedAt: now - 1_000, sent: false }, now, 30_000)).toBe(false);
    // Its claimer died between claim and send: the counted chunk's redelivery sends it.
    expect(shouldSendClaim({ made: false, claimedAt: now - 30_000, sent: false }, now, 30_000)).toBe(true);
    expect(shouldSendClaim({ made: false, claimedAt: now - 60_000, sent: true }, now, 30_000)).toBe(false);
  });

  it('in any order of completions, keeps at most the window in flight and sends every chunk exactly once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 8 }), fc.array(fc.nat(), { maxLength: 200 }), (count, window, picks) => {
        const p = plan(count, window);
        let sent = initialSent(p);
        const done = new Set<number>();
        const sends = Array.from({ length: sent }, (_, chunk) => chunk);
        let pick = 0;
        while (done.size < count) {
          const inFlight = inFlightChunks(sent, done);
          expect(inFlight.length).toBeGreaterThan(0);
          expect(inFlight.length).toBeLessThanOrEqual(window);
          // Any chunk in flight may finish next; it claims one successor while there is room.
          const finished = inFlight[(picks[pick++] ?? 0) % inFlight.length]!;
          done.add(finished);
          if (windowRoom(p, sent, done.size) > 0) sends.push(sent++);
        }
        expect(sends).toEqual([...Array(count).keys()]);
      }),
    );
  });
});
