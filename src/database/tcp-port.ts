import net from 'node:net';

/** Thrown when a TCP port this process needs is taken by something else. */
export class PortInUseError extends Error {
  readonly code = 'port-in-use';
  constructor(
    readonly port: number,
    readonly setting: string,
    what: string,
  ) {
    super(`Port ${port} (${what}) is already in use by another program. Set ${setting} to a free port.`);
    this.name = 'PortInUseError';
  }
}

/** Resolves when nothing listens on `port` of the loopback interface; otherwise rejects with PortInUseError. */
export async function assertPortFree(port: number, setting: string, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, setting, what) : error);
    });
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Asks the kernel for a free loopback port (for tests and benchmarks). */
export async function findFreePort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
