/**
 * Resolves `*.localhost` to 127.0.0.1 in this process, as RFC 6761 says resolvers should (systemd-resolved
 * and browsers do; glibc's getaddrinfo does not).
 *
 * Why: fauxqs names queues `http://sqs.<region>.localhost:<port>/000000000000/<name>`, and the SQS client
 * sends every request to the host of its QueueUrl. Imported first by each process of the local stack that
 * runs handlers; the same technique as fauxqs's own `interceptLocalhostDns()`, without loading fauxqs's
 * server code into those processes.
 */
import dns from 'node:dns';

const original = dns.lookup;

function isLocalhostName(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost');
}

const lookup = ((hostname: string, options: unknown, callback?: unknown) => {
  const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
  if (typeof hostname !== 'string' || !isLocalhostName(hostname)) {
    return (original as (...args: unknown[]) => void)(hostname, options, callback);
  }
  const wantsAll = typeof options === 'object' && options !== null && (options as dns.LookupOptions).all === true;
  process.nextTick(() => (wantsAll ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4)));
}) as typeof dns.lookup;

dns.lookup = lookup;
