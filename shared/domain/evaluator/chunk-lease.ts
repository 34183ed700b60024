import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChunkMessage } from '../../contracts/messages.js';
import { serviceConfig } from '../../platform/config.js';
import { logger } from '../../platform/logger.js';
import { ChunkLeaseLostError, type ChunkClaim, type ChunkLease } from '../ports/evaluation-store.js';
import { START_CALLS_UNTIL_MS } from './chunk-watch.js';
import type { EvaluatorDeps } from './deps.js';

/** A delivery that finds its chunk held by another one looks again this often. */
const BUSY_POLL_MS = 1000;
const RELEASE_ATTEMPTS = 3;

/** Raised when another delivery held the chunk for as long as this invocation could wait: retried later. */
export class ChunkBusyError extends Error {
  constructor(chunk: number) {
    super(`Chunk ${chunk} is held by another delivery; this one will be retried`);
    this.name = 'ChunkBusyError';
  }
}

type LeaseDeps = Pick<EvaluatorDeps, 'evaluations'>;

/**
 * A chunk's lease while this delivery holds it: renewed every third of its time to live, so a delivery
 * that is alive keeps it however long it runs, and one that crashed loses it within that time. Its
 * signal aborts when a renewal finds the lease taken over (this delivery stalled past the lease): its
 * calls stop, and its writes would be refused anyway.
 */
export class HeldChunk {
  readonly lease: ChunkLease;
  private readonly deps: LeaseDeps;
  private readonly message: ChunkMessage;
  private readonly ttlMs: number;
  private readonly lost = new AbortController();
  private readonly timer: ReturnType<typeof setInterval>;
  private renewing = false;
  private stopped = false;

  constructor(deps: LeaseDeps, message: ChunkMessage, lease: ChunkLease, ttlMs: number) {
    this.deps = deps;
    this.message = message;
    this.lease = lease;
    this.ttlMs = ttlMs;
    this.timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(ttlMs / 3)));
  }

  /** Aborted, with a ChunkLeaseLostError, once the lease is known to be lost. */
  get signal(): AbortSignal {
    return this.lost.signal;
  }

  private async renew(): Promise<void> {
    if (this.renewing || this.stopped) return;
    this.renewing = true;
    try {
      const held = await this.deps.evaluations.renewChunkLease(this.message.tenant_id, this.message.evaluation_id, this.lease, this.ttlMs);
      if (!held && !this.stopped) {
        logger.warn('chunk lease taken over by another delivery; this one stops', {
          evaluation_id: this.message.evaluation_id,
          chunk: this.message.chunk,
        });
        this.stop();
        this.lost.abort(new ChunkLeaseLostError(this.message.chunk));
      }
    } catch (error) {
      // The next beat tries again; a lease that runs out meanwhile shows as a refused write.
      logger.warn('chunk lease not renewed; retrying at the next beat', {
        evaluation_id: this.message.evaluation_id,
        chunk: this.message.chunk,
        error: error as Error,
      });
    } finally {
      this.renewing = false;
    }
  }

  /** Stops renewing: the chunk was counted (which ended the lease) or the lease is being given up. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Gives the lease up so a redelivery can take it at once; a failure only leaves it to expire. */
  async release(): Promise<void> {
    this.stop();
    await releaseLease(this.deps, this.message, this.lease);
  }
}

/**
 * Gives a lease up, trying a few times: one left behind makes the message's retry wait until it expires.
 * A failure is only logged, since the lease expires anyway.
 */
async function releaseLease(deps: LeaseDeps, message: ChunkMessage, lease: ChunkLease): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await deps.evaluations.releaseChunkLease(message.tenant_id, message.evaluation_id, lease);
      return;
    } catch (error) {
      if (attempt >= RELEASE_ATTEMPTS) {
        logger.warn('chunk lease not released; it will expire', {
          evaluation_id: message.evaluation_id,
          chunk: message.chunk,
          error: error as Error,
        });
        return;
      }
      await sleep(50 * attempt);
    }
  }
}

/** How long a lease lasts unless renewed (`ARBITER_CHUNK_LEASE_SECONDS`). */
export function chunkLeaseMs(): number {
  return serviceConfig.chunkLeaseSeconds * 1000;
}

/**
 * Takes the chunk's lease before anything of the chunk is read or called: results read after it are,
 * with this delivery's own writes, all there will be until the chunk is counted. While another delivery
 * holds it (a duplicate delivery running at the same time), waits for that one to count the chunk or to
 * let its lease go or run out, rather than calling the models a second time. Undefined when the chunk is
 * already counted.
 */
export async function holdChunk(deps: LeaseDeps, message: ChunkMessage, remainingMs: () => number): Promise<HeldChunk | undefined> {
  const ttlMs = chunkLeaseMs();
  for (let waited = false; ; waited = true) {
    const lease: ChunkLease = { chunk: message.chunk, token: randomUUID() };
    let claim: ChunkClaim;
    try {
      claim = await deps.evaluations.claimChunk(message.tenant_id, message.evaluation_id, lease, ttlMs);
    } catch (error) {
      // The claim may have been applied before the error (a connection reset on the answer): give up the
      // lease it may hold, or the retry of this message would wait for it to expire.
      await releaseLease(deps, message, lease);
      throw error;
    }
    if (claim === 'counted') return undefined;
    if (claim === 'leased') {
      if (waited) logger.info('chunk lease taken after waiting for another delivery', { evaluation_id: message.evaluation_id, chunk: message.chunk });
      return new HeldChunk(deps, message, lease, ttlMs);
    }
    const pollMs = Math.min(BUSY_POLL_MS, Math.max(1, Math.floor(ttlMs / 2)));
    if (remainingMs() - pollMs < START_CALLS_UNTIL_MS) throw new ChunkBusyError(message.chunk);
    await sleep(pollMs);
  }
}

/**
 * Runs `work` holding the chunk's lease; false, without running it, when the chunk is already counted.
 * A `work` that throws gives the lease up, so the message's retry need not wait for it to run out.
 */
export async function whileHolding(
  deps: LeaseDeps,
  message: ChunkMessage,
  remainingMs: () => number,
  work: (held: HeldChunk) => Promise<void>,
): Promise<boolean> {
  const held = await holdChunk(deps, message, remainingMs);
  if (!held) return false;
  try {
    await work(held);
  } catch (error) {
    await held.release();
    throw error;
  } finally {
    held.stop();
  }
  return true;
}
