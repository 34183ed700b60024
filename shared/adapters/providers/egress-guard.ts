/**
 * The egress guard: the undici dispatcher every model and judge HTTP call goes through. Its connect step
 * resolves the host itself, checks every address the name resolves to against the egress policy, and
 * opens the socket to an address it checked, so a DNS answer that changes between check and use (DNS
 * rebinding) has nothing to change: there is no second lookup. A refusal fails the call with
 * `egress_denied` before any socket exists.
 *
 * Redirects are never followed: undici's `request` follows none unless asked, and `postJson` turns a 3xx
 * into a provider error.
 */
import dns from 'node:dns';
import { isIP } from 'node:net';
import type { Agent as UndiciAgent, buildConnector as UndiciConnector, Dispatcher } from 'undici';
import { Agent, buildConnector } from './undici-core.js';
import { logger } from '../../platform/logger.js';
import { egressPolicyFromEnvironment, type EgressPolicy, type EgressVerdict } from '../../domain/models/egress-policy.js';
import { ProviderError } from '../../domain/ports/model-client.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address a name resolves to, as the system resolver answers (`dns.lookup` with `all: true`). */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    // Looked up on the module at call time, so a process that replaces `dns.lookup` (local/localhost-dns.ts) is honoured.
    dns.lookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

export interface EgressGuardOptions {
  policy: EgressPolicy;
  resolve?: Resolver;
  /** Opens the socket to a checked address; undici's own connector unless a test substitutes a double. */
  connect?: UndiciConnector.connector;
}

function deniedError(host: string, verdict: Extract<EgressVerdict, { allowed: false }>): ProviderError {
  // Neither the address nor its kind is named: what a name resolves to inside the deployment is not the tenant's to learn.
  const what = verdict.refused === 'scheme' ? verdict.reason : 'the egress policy does not allow the address it resolves to';
  return new ProviderError('egress_denied', `${host} may not be called: ${what}`, { retryable: false });
}

/** A connector that resolves, checks every answer, then dials the checked addresses in order until one connects. */
export function guardedConnector(options: EgressGuardOptions): UndiciConnector.connector {
  const resolve = options.resolve ?? systemResolver;
  const connect = options.connect ?? buildConnector({});
  return (target, callback) => {
    const { hostname, protocol } = target;
    const lookup: Promise<readonly ResolvedAddress[]> = isIP(hostname)
      ? Promise.resolve([{ address: hostname, family: isIP(hostname) }])
      : resolve(hostname);
    lookup.then(
      (addresses) => {
        if (addresses.length === 0) return callback(new Error(`${hostname} resolved to no address`), null);
        for (const { address } of addresses) {
          const verdict = options.policy.allows({ protocol, host: hostname, address });
          if (!verdict.allowed) {
            logger.warn('egress denied', { host: hostname, address, reason: verdict.reason });
            return callback(deniedError(hostname, verdict), null);
          }
        }
        const dial = (index: number): void => {
          connect({ ...target, hostname: addresses[index]!.address }, (...result) => {
            if (result[0] && index + 1 < addresses.length) return dial(index + 1);
            callback(...result);
          });
        };
        dial(0);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
    );
  };
}

export function createEgressAgent(options: EgressGuardOptions & { agent?: Omit<UndiciAgent.Options, 'connect'> }): Agent {
  return new Agent({ ...options.agent, connect: guardedConnector(options) });
}

let containerAgent: Dispatcher | undefined;

/** One guarded dispatcher per container (its keep-alive pools are shared by every model), on the environment's policy. */
export function egressDispatcher(): Dispatcher {
  containerAgent ??= createEgressAgent({ policy: egressPolicyFromEnvironment() });
  return containerAgent;
}
