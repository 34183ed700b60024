import { createServer } from 'node:net';

/**
 * Asks the OS for a free loopback port. The port is released before the caller binds it, so another
 * process could take it first; for a developer machine that window is small enough, and the callers
 * report a bind failure clearly.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('Could not allocate a free port'))));
    });
  });
}

/** Whether `port` can be bound on loopback now: lets the stack refuse a taken port before starting anything. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}
