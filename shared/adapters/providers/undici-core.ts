/**
 * The three parts of undici that model calls use, imported from their own modules rather than from
 * undici's index, which loads fetch, WebSocket, EventSource, the cache and the mock agent too: bundled,
 * the index costs the evaluator about 240 KiB and 40 ms of cold import more than these three. undici has
 * no `exports` map, so the paths are reachable; its version is pinned, and every adapter test imports
 * through this module, so a release that moves them fails the tests, not a deployment.
 */
import type { Agent as AgentClass, buildConnector as buildConnectorFunction, Dispatcher } from 'undici';
// @ts-expect-error -- undici ships no declarations for its modules; the types of its index apply below.
import agentModule from 'undici/lib/dispatcher/agent.js';
// @ts-expect-error -- as above.
import requestModule from 'undici/lib/api/api-request.js';
// @ts-expect-error -- as above.
import connectModule from 'undici/lib/core/connect.js';

export const Agent = agentModule as typeof AgentClass;
export type Agent = AgentClass;
export const buildConnector = connectModule as typeof buildConnectorFunction;

const dispatch = requestModule as (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

/** undici's `request(url, { dispatcher })` without its index: the dispatcher's own request API. */
export function request(
  url: URL,
  options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher },
): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  return dispatch.call(dispatcher, { ...rest, origin: url.origin, path: `${url.pathname}${url.search}` });
}
