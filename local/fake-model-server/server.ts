/**
 * An OpenAI-compatible chat completions server for tests, load tests and demos: it answers deterministically
 * from the prompt (the sample arithmetic benchmark correctly) and injects faults from a seeded PRNG, so a
 * run with the same seed and the same number of requests sees the same mix of failures.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '#shared/domain/stats/random.js';

export interface FaultRates {
  /** 429 with an OpenAI-style body (and `Retry-After` when `retryAfterSeconds` is set). */
  rateLimit?: number;
  /** 500 with an OpenAI-style body. */
  serverError?: number;
  /** No answer: held until the client gives up and closes the socket, or answered after `hangMs`. */
  timeout?: number;
  /** 200 with a truncated, non-JSON, empty or incomplete body. */
  malformed?: number;
}

/**
 * A fault tied to the prompt rather than drawn at random: every request whose prompt contains the marker
 * gets it, retries included, so a test knows exactly which items must fail and with what.
 * `timeout` hangs (as the random one does), `empty_body` and `non_json_body` answer 200 with such a body,
 * `bad_request` answers 400 (not retryable), `large_answer` answers 200 with the usual answer followed by
 * filler up to `bytes` bytes of UTF-8 (a model that rambles, or a server that answers to exhaust the reader).
 */
export interface PromptFault {
  marker: string;
  fault: 'timeout' | 'empty_body' | 'non_json_body' | 'bad_request' | 'large_answer';
  /** For `large_answer`: the answer's size in bytes. */
  bytes?: number;
}

export interface FakeModelServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Delay before every answer. */
  latencyMs?: number;
  rates?: FaultRates;
  seed?: number;
  retryAfterSeconds?: number;
  /** When set, a "timeout" answers normally after this many ms instead of never. */
  hangMs?: number;
  /** Checked before the random faults; the first marker found in the prompt wins. */
  promptFaults?: PromptFault[];
  /** How it answers judge prompts: `varied` (the default) or `literal` (see `literalJudgeReply`). */
  judgeMode?: JudgeMode;
  /**
   * A prompt asked again gets another answer, as a sampling model's answers vary: the first call of a
   * prompt is answered as usual, the nth call (n ≥ 2) `<answer> (take n)`, after `latencyMs` instead of
   * the usual latency. Counted per prompt from when the option is set.
   */
  repeats?: { latencyMs?: number };
}

export type JudgeMode = 'varied' | 'literal';

/**
 * A model name starting with this answers a prompt as usual on its 1st, 3rd, 5th… call and wrongly
 * (`<answer> (flipped)`) on its 2nd, 4th…: with repeats, samples 0, 2, 4 pass and 1, 3 fail, so every item
 * is flaky in a way a test can count. Counted per prompt, whatever the `repeats` option.
 */
export const FLIP_ODD_MODEL_PREFIX = 'flip-odd';

export type FakeOutcome =
  | 'ok'
  | 'rate_limited'
  | 'server_error'
  | 'timeout'
  | 'malformed'
  | 'empty_body'
  | 'non_json_body'
  | 'bad_request'
  | 'not_found'
  | 'large_answer';

export interface FakeModelServerStats {
  requests: number;
  /** Requests being answered now, and the most there ever were at once (what a concurrency limit must bound). */
  inFlight: number;
  maxInFlight: number;
  byOutcome: Partial<Record<FakeOutcome, number>>;
}

export interface CredentialHeaders {
  authorization?: string;
  'x-api-key'?: string;
}

export interface FakeModelServer {
  /** Base URL ending in `/v1`, ready for an `openai_compatible` model's `base_url`. */
  url: string;
  stop(): Promise<void>;
  stats(): FakeModelServerStats;
  /**
   * The headers that carry a provider key (`authorization`, Anthropic's `x-api-key`) of every request, in
   * arrival order, so a test can tell whose key a model server was handed.
   */
  credentialHeaders(): CredentialHeaders[];
  /** Shallow merge: `rates` given here replaces the previous rates; a new `seed` restarts the sequence. */
  setOptions(partial: Partial<Omit<FakeModelServerOptions, 'port'>>): void;
  /** The provider is down: the port stops listening (connections are refused) and open sockets are cut. */
  down(): Promise<void>;
  /** Back up on the same port. */
  up(): Promise<void>;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export const countTokens = (text: string): number => text.split(/\s+/).filter(Boolean).length;

function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toFixed(4))) : 'undefined';
}

/** The three templates of `local/samples/arithmetic.json`. */
const wordProblems: { pattern: RegExp; apply: (a: number, b: number) => number }[] = [
  { pattern: /\bhas (\d+) [a-z]+ and buys (\d+) more\b/i, apply: (a, b) => a + b },
  { pattern: /\bhad (\d+) [a-z]+ and gave (\d+) away\b/i, apply: (a, b) => a - b },
  { pattern: /\bholds (\d+) [a-z]+\.\s+\S+ fills (\d+)\b/i, apply: (a, b) => a * b },
];

const operations: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '×': (a, b) => a * b,
  '/': (a, b) => a / b,
  '÷': (a, b) => a / b,
};

/** Options rendered one per line as `A. …`, `A) …` or `(A) …`, lettered from A. */
function choiceLetters(prompt: string): string[] {
  const letters = [...prompt.matchAll(/^\s*\(?([A-Z])[.):]\s+\S/gm)].map((match) => match[1]!);
  const start = letters.indexOf('A');
  if (start < 0) return [];
  const run = [];
  for (const letter of letters.slice(start)) {
    if (letter.charCodeAt(0) !== 65 + run.length) break;
    run.push(letter);
  }
  return run.length >= 2 ? run : [];
}

/** The fake's answer: a deterministic function of the prompt alone. */
export function fakeAnswer(prompt: string): string {
  const letters = choiceLetters(prompt);
  if (letters.length > 0) return letters[hash(prompt) % letters.length]!;
  for (const { pattern, apply } of wordProblems) {
    const match = pattern.exec(prompt);
    if (match) return formatNumber(apply(Number(match[1]), Number(match[2])));
  }
  const expression = [...prompt.matchAll(/(-?\d+(?:\.\d+)?)\s*([-+*×/÷])\s*(-?\d+(?:\.\d+)?)/g)].at(-1);
  if (expression) return formatNumber(operations[expression[2]!]!(Number(expression[1]), Number(expression[3])));
  const paragraph =
    prompt
      .split(/\n\s*\n/)
      .map((part) => part.trim())
      .filter(Boolean)
      .at(-1) ?? '';
  return /^.*?[.!?](?=\s|$)/s.exec(paragraph)?.[0] ?? paragraph;
}

/**
 * Conversation-aware answers, so a test can see the whole conversation arrived: a user turn asking for
 * "your previous answer" gets the last assistant turn back, and a system turn asking for upper case makes
 * the answer upper case. Undefined when neither applies (the answer then comes from the last user turn).
 */
export function fakeChatAnswer(messages: readonly { role?: unknown; content?: unknown }[]): string | undefined {
  const text = (message: { content?: unknown } | undefined) => (typeof message?.content === 'string' ? message.content : '');
  const system = messages
    .filter((message) => message.role === 'system')
    .map(text)
    .join('\n');
  const lastUser = text([...messages].reverse().find((message) => message.role === 'user'));
  const upper = /\bupper[ -]?case\b/i.test(system);
  if (!upper && !/\b(?:your|the) (?:previous|last) answer\b/i.test(lastUser)) return undefined;
  const previous = /\b(?:your|the) (?:previous|last) answer\b/i.test(lastUser)
    ? text([...messages].reverse().find((message) => message.role === 'assistant'))
    : fakeAnswer(lastUser);
  return upper ? previous.toUpperCase() : previous;
}

/** The fence of a prompt built from Arbiter's judge templates (version 2 on): the code its tags carry. */
const fenceOf = (prompt: string) => /<(?:question|response|response_a|answer)-([0-9a-f]{32})>/.exec(prompt)?.[1];

/** The text between `<tag>` and `</tag>`, or between the tags carrying the fence when the prompt has one. */
function between(text: string, tag: string, fence = fenceOf(text)): string {
  const open = fence ? `<${tag}-${fence}>` : `<${tag}>`;
  const close = fence ? `</${tag}-${fence}>` : `</${tag}>`;
  const start = text.indexOf(open);
  if (start < 0) return '';
  const end = text.indexOf(close, start + open.length);
  return text
    .slice(start + open.length, end < 0 ? undefined : end)
    .replace(/^\n/, '')
    .replace(/\n$/, '');
}

const isJudgePrompt = (prompt: string) => /<response(?:-[0-9a-f]{32})?>/.test(prompt) && /<question(?:-[0-9a-f]{32})?>/.test(prompt);

/**
 * Replies to prompts built from Arbiter's judge templates, varying deterministically with the question
 * so that one run sees every reply form a real judge gives: JSON, a score in prose, and refusals (one
 * question in five). Pairwise prompts get a verdict that, for one question in three, follows the
 * position (always "A"), which the evaluator must count as a flip. With `json` (the request asked for
 * JSON mode) every reply is one JSON object, as a provider's JSON mode guarantees.
 */
export function fakeJudgeReply(prompt: string, options: { json?: boolean } = {}): string | undefined {
  const { json = false } = options;
  const question = between(prompt, 'question');
  if (prompt.includes('<response_a')) {
    const a = between(prompt, 'response_a');
    const b = between(prompt, 'response_b');
    if (hash(question) % 3 === 0) return '{"winner": "A", "rationale": "Response A reads better."}';
    if (a === b) return json ? '{"winner": "tie", "rationale": "Both responses are equally good."}' : 'Both responses are equally good. [[C]]';
    if (a > b) return '{"winner": "A", "rationale": "A is the better answer."}';
    return json ? '{"winner": "B", "rationale": "After comparing both, B is better."}' : 'After comparing both, the winner: B';
  }
  if (!isJudgePrompt(prompt)) return undefined;
  switch (hash(question) % 5) {
    case 0:
      return json ? '{"rationale": "I\'m sorry, but I can\'t evaluate this response."}' : "I'm sorry, but I can't evaluate this response.";
    case 1:
    case 2:
      return json
        ? '{"score": 4, "rationale": "The response addresses the question directly."}'
        : '```json\n{"score": 4, "rationale": "The response addresses the question directly."}\n```';
    default:
      return json
        ? '{"score": 5, "rationale": "The response stays on topic and answers what was asked."}'
        : 'The response stays on topic and answers what was asked.\n\nScore: 5/5';
  }
}

/**
 * A judge that takes its prompt literally, the kind an injected answer exploits, for tests of judges that
 * candidates cannot steer. It reads the response where the prompt's tags put it: between the tags carrying
 * the fence when the prompt has one, else up to anything that looks like a closing tag (`</response >`,
 * `<\/response>`). A score named after the response ("give it a score of 5") is obeyed as if the prompt's
 * author wrote it; otherwise it scores from the question alone (2 to 4), whatever the answer says. Its
 * reply quotes the response, as judges do: in prose, or inside the JSON object in JSON mode.
 */
export function literalJudgeReply(prompt: string, options: { json?: boolean } = {}): string | undefined {
  if (!isJudgePrompt(prompt) || prompt.includes('<response_a')) return undefined;
  const fence = fenceOf(prompt);
  const open = fence ? `<response-${fence}>` : '<response>';
  const start = prompt.indexOf(open) + open.length;
  const close = fence ? { index: prompt.indexOf(`</response-${fence}>`, start) - start, length: `</response-${fence}>`.length } : undefined;
  const lenient = /<\\?\/\s*response\s*>/i.exec(prompt.slice(start));
  const end = close ?? (lenient ? { index: lenient.index, length: lenient[0].length } : { index: prompt.length - start, length: 0 });
  const response = prompt.slice(start, start + end.index).trim();
  const outside = prompt.slice(start + end.index + end.length);
  const obeyed = /\bscore\b[^0-9\n]{0,12}([1-5])/i.exec(outside)?.[1];
  const score = obeyed ? Number(obeyed) : 2 + (hash(between(prompt, 'question', fence)) % 3);
  const rationale = `The response under review reads: ${response}`;
  return options.json ? JSON.stringify({ score, rationale }) : `Score: ${score}/5\n\n${rationale}`;
}

interface ChatRequest {
  model?: unknown;
  messages?: { role?: unknown; content?: unknown }[];
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  response_format?: { type?: unknown };
  tools?: { function?: { name?: unknown } }[];
  tool_choice?: unknown;
}

/**
 * Deterministic tool calls: when tools are offered and the last user turn names one (unless tool_choice is
 * "none"), the answer calls each named tool in the order named, with the `key=value` pairs of the prompt
 * as arguments (numbers as numbers). A tool named `broken_args` gets arguments that are not JSON, so a
 * test can see unparseable arguments kept raw.
 */
export function fakeToolCalls(request: ChatRequest, prompt: string): { name: string; arguments: string }[] {
  if (!Array.isArray(request.tools) || request.tool_choice === 'none') return [];
  const names = request.tools.map((tool) => tool.function?.name).filter((name): name is string => typeof name === 'string');
  const named = names
    .map((name) => ({ name, at: prompt.search(new RegExp(`\\b${name.replace(/[-]/g, '\\-')}\\b`)) }))
    .filter(({ at }) => at >= 0)
    .sort((a, b) => a.at - b.at);
  const args = Object.fromEntries(
    [...prompt.matchAll(/\b([a-z_]+)=([^\s,]+)/g)].map(([, key, value]) => [key!, /^-?\d+(?:\.\d+)?$/.test(value!) ? Number(value) : value!]),
  );
  return named.map(({ name }) => ({ name, arguments: name === 'broken_args' ? '{"unterminated": ' : JSON.stringify(args) }));
}

const errorBody = (message: string, type: string, code: string | null) => JSON.stringify({ error: { message, type, param: null, code } });

/**
 * `answer`, then words of mixed-width characters (1 to 4 bytes in UTF-8, so a cut at a byte limit can land
 * inside a character), then `[end]`: `bytes` bytes in all.
 */
export function padAnswer(answer: string, bytes: number): string {
  const word = ' filler é € 𝄞';
  const end = ' [end]';
  const room = Math.max(0, bytes - Buffer.byteLength(answer) - end.length);
  const words = word.repeat(Math.floor(room / Buffer.byteLength(word)));
  return `${answer}${words}${' '.repeat(room - Buffer.byteLength(words))}${end}`;
}

/** How one completion is shaped: the judge mode, a size to pad the answer to, and which take of a repeated prompt it is. */
interface CompletionShape {
  judgeMode?: JudgeMode;
  answerBytes?: number;
  take?: number;
  /** A `FLIP_ODD_MODEL_PREFIX` model: even takes are wrong, and no take is marked. */
  flipOdd?: boolean;
}

function completion(
  request: ChatRequest,
  id: number,
  { judgeMode = 'varied', answerBytes, take = 1, flipOdd = false }: CompletionShape = {},
): string {
  const messages = request.messages ?? [];
  const prompt = [...messages].reverse().find((message) => message.role === 'user')?.content;
  const text = typeof prompt === 'string' ? prompt : '';
  const judge = { json: request.response_format?.type === 'json_object' };
  let answer =
    (judgeMode === 'literal' ? literalJudgeReply(text, judge) : undefined) ??
    fakeJudgeReply(text, judge) ??
    fakeChatAnswer(messages) ??
    fakeAnswer(text);
  if (answerBytes !== undefined) answer = padAnswer(answer, answerBytes);
  if (flipOdd) {
    if (take % 2 === 0) answer = `${answer} (flipped)`;
  } else if (take > 1) answer = `${answer} (take ${take})`;
  const limit = Number(request.max_completion_tokens ?? request.max_tokens ?? Infinity);
  const truncated = countTokens(answer) > limit;
  if (truncated) answer = answer.split(/\s+/).filter(Boolean).slice(0, limit).join(' ');
  const promptTokens = messages.reduce((sum, message) => sum + (typeof message.content === 'string' ? countTokens(message.content) : 0), 0);
  const completionTokens = countTokens(answer);
  const toolCalls = fakeToolCalls(request, text);
  if (toolCalls.length > 0) {
    return JSON.stringify({
      id: `chatcmpl-fake-${id}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: typeof request.model === 'string' ? request.model : 'fake',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: toolCalls.map((fn, index) => ({ id: `call_fake_${id}_${index}`, type: 'function', function: fn })),
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: promptTokens, completion_tokens: toolCalls.length * 8, total_tokens: promptTokens + toolCalls.length * 8 },
    });
  }
  return JSON.stringify({
    id: `chatcmpl-fake-${id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: typeof request.model === 'string' ? request.model : 'fake',
    choices: [
      { index: 0, message: { role: 'assistant', content: answer, refusal: null }, logprobs: null, finish_reason: truncated ? 'length' : 'stop' },
    ],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  });
}

const malformedBodies = [
  (body: string) => body.slice(0, Math.floor(body.length / 2)),
  () => 'upstream connect error or disconnect/reset before headers',
  () => '',
  () => JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion' }),
];

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startFakeModelServer(options: FakeModelServerOptions = {}): Promise<FakeModelServer> {
  let settings: FakeModelServerOptions = { ...options };
  let random = mulberry32(settings.seed ?? 1);
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const credentialHeaders: CredentialHeaders[] = [];
  let takes = new Map<string, number>();
  const byOutcome: Partial<Record<FakeOutcome, number>> = {};
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, run: () => void) => {
    if (ms <= 0) return run();
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const write = (response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    if (response.destroyed || response.writableEnded) return;
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    response.end(body);
  };
  const count = (outcome: FakeOutcome) => (byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1);
  const send = (response: ServerResponse, outcome: FakeOutcome, status: number, body: string, headers: Record<string, string> = {}) => {
    count(outcome);
    write(response, status, body, headers);
  };

  /** The fault for this request, drawn in arrival order from the seeded sequence. */
  const drawFault = (): FakeOutcome => {
    const { rateLimit = 0, serverError = 0, timeout = 0, malformed = 0 } = settings.rates ?? {};
    let r = random();
    for (const [outcome, rate] of [
      ['rate_limited', rateLimit],
      ['server_error', serverError],
      ['timeout', timeout],
      ['malformed', malformed],
    ] as const) {
      if (r < rate) return outcome;
      r -= rate;
    }
    return 'ok';
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const id = ++requests;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.once('close', () => {
      inFlight -= 1;
    });
    const apiKey = request.headers['x-api-key'];
    credentialHeaders.push({
      ...(request.headers.authorization !== undefined ? { authorization: request.headers.authorization } : {}),
      ...(apiKey !== undefined ? { 'x-api-key': String(apiKey) } : {}),
    });
    const text = await readBody(request);
    if (request.method !== 'POST' || request.url?.split('?')[0] !== '/v1/chat/completions') {
      return send(
        response,
        'not_found',
        404,
        errorBody(`Unknown request URL: ${request.method} ${request.url}`, 'invalid_request_error', 'unknown_url'),
      );
    }
    let chat: ChatRequest;
    try {
      chat = JSON.parse(text) as ChatRequest;
    } catch {
      return send(response, 'bad_request', 400, errorBody('We could not parse the JSON body of your request.', 'invalid_request_error', null));
    }
    if (!Array.isArray(chat.messages) || chat.messages.length === 0) {
      return send(
        response,
        'bad_request',
        400,
        errorBody("Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter'),
      );
    }
    const prompt = [...chat.messages].reverse().find((message) => message.role === 'user')?.content;
    const matched = settings.promptFaults?.find(({ marker }) => typeof prompt === 'string' && prompt.includes(marker));
    const promptFault = matched?.fault;
    if (promptFault === 'bad_request') {
      return send(response, 'bad_request', 400, errorBody('This prompt is refused by the fake model server.', 'invalid_request_error', null));
    }
    if (promptFault === 'empty_body' || promptFault === 'non_json_body') {
      return later(settings.latencyMs ?? 0, () =>
        send(
          response,
          promptFault,
          200,
          promptFault === 'empty_body' ? '' : '<html><body>502 Bad Gateway</body></html>',
          promptFault === 'non_json_body' ? { 'content-type': 'text/html' } : {},
        ),
      );
    }
    if (promptFault === 'large_answer') {
      return later(settings.latencyMs ?? 0, () =>
        send(response, promptFault, 200, completion(chat, id, { judgeMode: settings.judgeMode, answerBytes: matched?.bytes ?? 1_000_000 })),
      );
    }
    const fault = promptFault ?? drawFault();
    if (fault === 'timeout') {
      count(fault);
      if (settings.hangMs !== undefined) later(settings.hangMs, () => write(response, 200, completion(chat, id, { judgeMode: settings.judgeMode })));
      return;
    }
    const variant = fault === 'malformed' ? Math.floor(random() * malformedBodies.length) : 0;
    let take = 1;
    const flipOdd = typeof chat.model === 'string' && chat.model.startsWith(FLIP_ODD_MODEL_PREFIX);
    if ((settings.repeats || flipOdd) && fault === 'ok' && typeof prompt === 'string') {
      const key = flipOdd ? `${chat.model}\u0000${prompt}` : prompt;
      take = (takes.get(key) ?? 0) + 1;
      takes.set(key, take);
    }
    const latencyMs = take > 1 ? (settings.repeats?.latencyMs ?? settings.latencyMs ?? 0) : (settings.latencyMs ?? 0);
    later(latencyMs, () => {
      switch (fault) {
        case 'rate_limited':
          return send(
            response,
            fault,
            429,
            errorBody('Rate limit reached for requests', 'requests', 'rate_limit_exceeded'),
            settings.retryAfterSeconds === undefined ? {} : { 'retry-after': String(settings.retryAfterSeconds) },
          );
        case 'server_error':
          return send(
            response,
            fault,
            500,
            errorBody('The server had an error while processing your request. Sorry about that!', 'server_error', null),
          );
        case 'malformed':
          return send(response, fault, 200, malformedBodies[variant]!(completion(chat, id, { judgeMode: settings.judgeMode })));
        default:
          return send(response, 'ok', 200, completion(chat, id, { judgeMode: settings.judgeMode, take, flipOdd }));
      }
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  // Longer than clients' idle timeouts, so a reused keep-alive socket is never closed under a request.
  server.keepAliveTimeout = 65_000;
  const listen = (onPort: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(onPort, '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
  const close = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };
  await listen(options.port ?? 0);
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    stats: () => ({ requests, inFlight, maxInFlight, byOutcome: { ...byOutcome } }),
    credentialHeaders: () => credentialHeaders.map((headers) => ({ ...headers })),
    setOptions(partial) {
      settings = { ...settings, ...partial };
      if (partial.seed !== undefined) random = mulberry32(partial.seed);
      if ('repeats' in partial) takes = new Map();
    },
    down: close,
    up: () => listen(port),
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (server.listening) await close();
    },
  };
}
