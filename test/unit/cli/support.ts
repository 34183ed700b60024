import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io } from '../../../cli/io.js';
import { runCli } from '../../../cli/run.js';

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

export type RouteHandler = (request: Recorded) => Response | unknown | Promise<Response | unknown>;

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export const text = (body: string, contentType: string, headers: Record<string, string> = {}) =>
  new Response(body, { status: 200, headers: { 'content-type': contentType, ...headers } });

/**
 * A fetch answering like the API from a table of `METHOD /path` handlers (`:id` matches one segment);
 * a handler may answer a Response or a body sent as 200 JSON. Unknown routes answer 404 as API Gateway does.
 */
export function fakeApi(routes: Record<string, RouteHandler>) {
  const requests: Recorded[] = [];
  const compiled = Object.entries(routes).map(([key, handler]) => {
    const [method, pattern] = key.split(' ') as [string, string];
    const regex = new RegExp(`^${pattern.replace(/:[a-z_]+/g, '[^/]+')}$`);
    return { method, regex, handler };
  });
  const fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const raw = request.method === 'GET' ? '' : await request.text();
    const recorded: Recorded = {
      method: request.method,
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: request.headers,
      body: raw ? JSON.parse(raw) : undefined,
    };
    requests.push(recorded);
    const route = compiled.find((candidate) => candidate.method === request.method && candidate.regex.test(recorded.path));
    if (!route) return json(404, { message: 'Not Found' });
    const answer = await route.handler(recorded);
    return answer instanceof Response ? answer : json(200, answer);
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temporary config directory, logged in to the fake API unless `loggedIn: false`. */
export function tempEnv(options: { loggedIn?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-cli-'));
  const env: NodeJS.ProcessEnv = { ARBITER_CONFIG: join(dir, 'config.json'), HOME: dir };
  if (options.loggedIn !== false) Object.assign(env, { ARBITER_ENDPOINT: 'http://arbiter.test', ARBITER_API_KEY: 'arb_test' });
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs one command line in-process, as a non-terminal (progress as lines), with instant sleeps. */
export async function cli(argv: string[], options: { env: NodeJS.ProcessEnv; fetch?: typeof fetch; tty?: boolean }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  let clock = 0;
  const io: Io = {
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: false },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: options.tty ?? false },
    env: options.env,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => clock,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
