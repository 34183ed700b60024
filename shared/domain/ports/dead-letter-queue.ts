/** A message that no retry can help, on its way to the dead-letter queue. */
export interface DeadLetterEntry {
  /** The id SQS gave the message on the work queue. */
  messageId: string;
  /** The body exactly as received, so an operator sees (and can redrive) what was sent. */
  body: string;
  /** Short code and sentence, for whoever looks at the dead-letter queue before the handler records it. */
  reason: string;
}

/** Where the evaluator puts messages it cannot read, instead of waiting for five failed receives. */
export interface DeadLetterQueue {
  send(entry: DeadLetterEntry): Promise<void>;
}
