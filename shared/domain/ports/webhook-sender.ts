/** What one POST to a receiver came to: its status when it answered, else why not. */
export interface SendOutcome {
  statusCode?: number;
  error?: string;
}

/** POSTs a signed event to a receiver through the egress guard, within `timeoutMs`; never throws. */
export interface WebhookSender {
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SendOutcome>;
}
