import * as v from 'valibot';

/**
 * Chat items: a conversation of system, user and assistant turns instead of (or before) one `input`.
 * Turns are stored with plain-text content; text parts (`[{type: "text", text}]`, and OpenAI's
 * `input_text` / `output_text`) are joined as sent, with nothing between them.
 */
export const chatRoles = ['system', 'user', 'assistant'] as const;
export type ChatRole = (typeof chatRoles)[number];

export const MAX_CHAT_TURNS = 200;
const MAX_TURN_CHARS = 32 * 1024;

const TextPartSchema = v.strictObject(
  {
    type: v.picklist(['text', 'input_text', 'output_text'], 'must be "text" (or "input_text" / "output_text")'),
    text: v.pipe(v.string('must be a string'), v.maxLength(MAX_TURN_CHARS, `must be at most ${MAX_TURN_CHARS} characters`)),
  },
  (issue) => (issue.expected === 'never' ? 'is not a known field (only text parts are supported)' : 'is required'),
);

const ContentSchema = v.pipe(
  v.union(
    [
      v.string(),
      v.pipe(
        v.array(TextPartSchema),
        v.transform((parts) => parts.map((part) => part.text).join('')),
      ),
    ],
    'must be a string or an array of text parts',
  ),
  v.string(),
  v.nonEmpty('must not be empty'),
  v.maxLength(MAX_TURN_CHARS, `must be at most ${MAX_TURN_CHARS} characters`),
);

export const ChatMessageInputSchema = v.strictObject(
  {
    role: v.picklist(chatRoles, 'must be one of: system, user, assistant'),
    content: ContentSchema,
  },
  (issue) => (issue.expected === 'never' ? 'is not a known field' : 'is required'),
);
export type ChatMessage = v.InferOutput<typeof ChatMessageInputSchema>;

export const ChatMessagesInputSchema = v.pipe(
  v.array(ChatMessageInputSchema, 'must be an array of messages'),
  v.minLength(1, 'must hold at least one message'),
  v.maxLength(MAX_CHAT_TURNS, `may hold at most ${MAX_CHAT_TURNS} messages`),
);

/** A turn as stored and shown: role and text. */
export const ChatMessageSchema = v.strictObject({ role: v.picklist(chatRoles), content: v.string() });

/**
 * What a conversation that asks for a reply must look like, as path-relative problems: system turns only
 * first, at least one user turn, and the last turn the user's (a conversation ending on the assistant has
 * nothing left to answer). `withInput`: the item's `input` becomes the final user turn, so the messages
 * are history and must not end on the user.
 */
export function conversationProblems(messages: readonly ChatMessage[], withInput: boolean): Array<{ index?: number; message: string }> {
  const problems: Array<{ index?: number; message: string }> = [];
  let seenOther = false;
  messages.forEach((message, index) => {
    if (message.role === 'system' && seenOther) problems.push({ index, message: 'a system message may only come before the conversation' });
    if (message.role !== 'system') seenOther = true;
  });
  const turns = messages.filter((message) => message.role !== 'system');
  const last = turns.at(-1);
  if (withInput) {
    if (last?.role === 'user') {
      problems.push({
        index: messages.length - 1,
        message: 'ends on a user turn, but the item has an input, which becomes the final user turn: drop one',
      });
    }
  } else if (!last) {
    problems.push({ message: 'has no user turn to answer' });
  } else if (last.role === 'assistant') {
    problems.push({ index: messages.length - 1, message: 'ends on the assistant: a reply is expected, so the last turn must be the user’s' });
  }
  return problems;
}

/** A benchmark's message-list template: each turn's content is a prompt template (`{{item.question}}`). */
export const MessageTemplateTurnSchema = v.strictObject(
  {
    role: v.picklist(chatRoles, 'must be one of: system, user, assistant'),
    content: v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty'), v.maxLength(20_000, 'must be at most 20000 characters')),
  },
  (issue) => (issue.expected === 'never' ? 'is not a known field' : 'is required'),
);
export type MessageTemplateTurn = v.InferOutput<typeof MessageTemplateTurnSchema>;

/** The conversation as one text, for judges (which see the whole exchange) and for display. */
export function transcript(messages: readonly ChatMessage[]): string {
  return messages.map((message) => `${message.role}: ${message.content}`).join('\n\n');
}
