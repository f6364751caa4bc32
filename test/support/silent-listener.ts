import { type Server, type Socket, createServer } from 'node:net';

/** A TCP listener on loopback that takes every connection and never sends a byte (a wrong port, a stuck proxy). */
export async function silentListener(): Promise<{ address: string; asked: Promise<void>; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let heardFirstRequest: () => void = () => undefined;
  const asked = new Promise<void>((resolve) => (heardFirstRequest = resolve));
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => heardFirstRequest());
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    /** Resolves once a client has sent its first bytes: it is past start-up and waiting for an answer. */
    asked,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
