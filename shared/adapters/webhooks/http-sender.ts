/**
 * Webhook POSTs through the egress guard (DESIGN §8): the guard resolves the receiver's host at connect
 * time and refuses addresses the policy forbids, so a name re-pointed at a private address after
 * registration is refused here. No redirect is followed; only the status is read, the body is dropped.
 */
import type { Dispatcher } from 'undici';
import { egressDispatcher } from '../providers/egress-guard.js';
import { request } from '../providers/undici-core.js';
import { ProviderError } from '../../domain/ports/model-client.js';
import type { SendOutcome, WebhookSender } from '../../domain/ports/webhook-sender.js';

const MAX_ERROR_LENGTH = 200;

export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly dispatcher: () => Dispatcher = egressDispatcher) {}

  async post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SendOutcome> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await request(new URL(url), {
        dispatcher: this.dispatcher(),
        method: 'POST',
        headers: { ...headers, 'user-agent': 'Arbiter-Webhooks/1' },
        body,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      // Nothing of the receiver's answer is kept but its status: at most 64 KiB of the body is drained, unread.
      await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      return { statusCode: response.statusCode };
    } catch (error) {
      if (signal.aborted) return { error: `no answer within ${timeoutMs} ms` };
      if (error instanceof ProviderError && error.code === 'egress_denied') return { error: error.message.slice(0, MAX_ERROR_LENGTH) };
      const cause =
        error instanceof ProviderError
          ? error.message
          : error instanceof Error
            ? error.cause instanceof Error
              ? error.cause.message
              : error.message
            : String(error);
      return { error: `could not connect: ${cause}`.slice(0, MAX_ERROR_LENGTH) };
    }
  }
}
