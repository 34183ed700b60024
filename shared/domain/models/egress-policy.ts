/**
 * Where a model server may be: the one rule that both registration (the URL's literal host) and the
 * egress guard (every address a host resolves to, at connect time) apply. Addresses are classified by
 * ipaddr.js; the only thing added here is looking through IPv6 forms that carry an IPv4 address
 * (mapped, translated, compatible, NAT64), which would otherwise pass as ordinary IPv6 unicast.
 */
import ipaddr from 'ipaddr.js';
import { serviceConfig } from '../../platform/config.js';
import type { EgressMode, EgressSettings } from '../../platform/provider-settings.js';
import { UnprocessableEntityError } from '../errors.js';

export interface EgressDestination {
  /** `https:` or `http:`, as in `URL.protocol`. */
  protocol: string;
  /** The host name as written in the URL (an address literal without brackets, or a name). */
  host: string;
  /** The address about to be connected to. */
  address: string;
}

/** A refusal says whether the address or the scheme was refused, and why in words an operator reads. */
export type EgressVerdict = { allowed: true } | { allowed: false; refused: 'address' | 'scheme'; reason: string };

export interface EgressPolicy {
  readonly mode: EgressMode;
  /** Whether a connection to this address, for this host and scheme, may be opened. */
  allows(destination: EgressDestination): EgressVerdict;
  /**
   * Whether a URL can be called at all, judged from the URL alone: an address literal is checked as at
   * connect time; a name is refused only when no address could make it acceptable (plain http in the
   * cloud, with no allowlist entry that could cover it).
   */
  allowsUrl(url: string): EgressVerdict;
}

const allowed: EgressVerdict = { allowed: true };
const denied = (refused: 'address' | 'scheme', reason: string): EgressVerdict => ({ allowed: false, refused, reason });

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** IPv6 prefixes whose last 32 bits are an IPv4 address that a translator or dual stack connects to. */
const IPV4_CARRIERS: [ipaddr.IPv6, number][] = [
  ipaddr.IPv6.parseCIDR('::ffff:0:0/96'), // IPv4-mapped
  ipaddr.IPv6.parseCIDR('::ffff:0:0:0/96'), // IPv4-translated (RFC 6145)
  ipaddr.IPv6.parseCIDR('64:ff9b::/96'), // NAT64 well-known prefix (RFC 6052)
  ipaddr.IPv6.parseCIDR('::/96'), // IPv4-compatible (deprecated, still routed by some stacks)
];

/** The IPv4 address an IPv6 address stands for, if it is one of the carrier forms; `::` and `::1` are not. */
function carriedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = address.range();
  if (range === 'unspecified' || range === 'loopback') return undefined;
  if (!IPV4_CARRIERS.some((carrier) => address.match(carrier))) return undefined;
  return ipaddr.fromByteArray(address.toByteArray().slice(12)) as ipaddr.IPv4;
}

/**
 * The ipaddr.js range name that decides an address's fate: `unicast` for ordinary public addresses,
 * else `loopback`, `private`, `linkLocal`, `uniqueLocal`, `carrierGradeNat`, `multicast`, … An IPv6
 * form that carries an IPv4 address is classified as that IPv4 address.
 */
export function classifyAddress(text: string): string {
  const address = ipaddr.parse(text);
  if (address.kind() === 'ipv4') return address.range();
  const carried = carriedIPv4(address as ipaddr.IPv6);
  return carried ? carried.range() : address.range();
}

function parsedOrUndefined(text: string): Address | undefined {
  return ipaddr.isValid(text) ? ipaddr.parse(text) : undefined;
}

export function createEgressPolicy(settings: EgressSettings): EgressPolicy {
  const hosts = new Set<string>();
  const ranges: [Address, number][] = [];
  for (const entry of settings.allow) {
    if (ipaddr.isValidCIDR(entry)) ranges.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else hosts.add(entry);
  }
  const local = settings.mode === 'local';

  const inAllowedRange = (address: Address): boolean => {
    const forms: Address[] = [address];
    if (address.kind() === 'ipv6') {
      const carried = carriedIPv4(address as ipaddr.IPv6);
      if (carried) forms.push(carried);
    }
    return forms.some((form) => ranges.some((range) => range[0].kind() === form.kind() && form.match(range)));
  };
  const hostAllowed = (host: string) => hosts.has(host.toLowerCase().replace(/\.$/, ''));

  const allows = ({ protocol, host, address }: EgressDestination): EgressVerdict => {
    if (protocol !== 'https:' && protocol !== 'http:') return denied('scheme', `${protocol} is not http or https`);
    const parsed = parsedOrUndefined(address);
    if (!parsed) return denied('address', `${address} is not an IP address`);
    // The operator's allowlist trusts a network (or a name) whatever it is and however it is spoken to.
    if (hostAllowed(host) || inAllowedRange(parsed)) return allowed;
    const range = classifyAddress(address);
    if (range !== 'unicast' && !(local && range === 'loopback')) return denied('address', `${range} addresses are not allowed`);
    if (protocol === 'http:' && !local) return denied('scheme', 'plain http is not allowed; use https');
    return allowed;
  };

  return {
    mode: settings.mode,
    allows,
    allowsUrl(text) {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        return denied('address', 'not a URL');
      }
      // WHATWG URL has already turned 2130706433, 0177.0.0.1 and 0x7f.1 into 127.0.0.1.
      const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      if (ipaddr.isValid(host)) return allows({ protocol: url.protocol, host, address: host });
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return denied('scheme', `${url.protocol} is not http or https`);
      if (url.protocol === 'http:' && !local && !hostAllowed(host) && ranges.length === 0)
        return denied('scheme', 'plain http is not allowed; use https');
      return allowed;
    },
  };
}

let fromEnvironment: EgressPolicy | undefined;

/** The policy of this process, from ARBITER_EGRESS_POLICY and ARBITER_EGRESS_ALLOW, read once. */
export function egressPolicyFromEnvironment(): EgressPolicy {
  fromEnvironment ??= createEgressPolicy(serviceConfig.egress);
  return fromEnvironment;
}

/** Registration's check: 422 `base_url_not_allowed` for a URL the policy could never call. */
export function assertBaseUrlAllowed(baseUrl: string | undefined, policy: EgressPolicy = egressPolicyFromEnvironment()): void {
  if (baseUrl === undefined) return;
  const verdict = policy.allowsUrl(baseUrl);
  if (verdict.allowed) return;
  throw new UnprocessableEntityError('base_url_not_allowed', `This deployment may not call ${baseUrl}: ${verdict.reason}`, [
    { path: 'base_url', message: verdict.reason },
  ]);
}
