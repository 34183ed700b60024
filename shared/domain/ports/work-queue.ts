import type { WorkMessage } from '../../contracts/messages.js';

/** Where the API and the evaluator put the evaluator's next steps. */
export interface WorkQueue {
  send(message: WorkMessage): Promise<void>;
  /** Sends many messages, ten per request (SQS's batch limit), retrying entries SQS refused. */
  sendAll(messages: readonly WorkMessage[]): Promise<void>;
}
