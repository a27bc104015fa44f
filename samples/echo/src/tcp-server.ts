// TCP ports: every byte received is written back on the same connection.
import net from 'node:net';
import { sleep } from '@sextant/util';
import type { EchoContext, RunningServer } from './echo-context';

export function startTcpServer(ctx: EchoContext, address: string, port: number): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  let boundPort = port;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const started = Date.now();
    let bytes = 0;
    socket.on('data', (c: Buffer) => (bytes += c.length));
    socket.on('error', (err) => ctx.log.debug({ err, peer }, 'tcp connection error'));
    socket.on('close', () => {
      sockets.delete(socket);
      ctx.log.debug({ protocol: 'TCP', port: boundPort, peer, bytes, durationMs: Date.now() - started }, 'connection');
    });
    // Half-close aware: when the peer ends, end our side after the echo is flushed.
    if (ctx.tcpPrefix) socket.once('data', () => socket.write(ctx.tcpPrefix as string));
    socket.pipe(socket);
  });

  const close = async (graceMs = 5000): Promise<void> => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    // Tell open peers we are done; they get the bytes already echoed.
    for (const s of sockets) s.end();
    const deadline = Date.now() + graceMs;
    while (sockets.size > 0 && Date.now() < deadline) await sleep(25);
    for (const s of sockets) s.destroy();
    await stopped;
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.removeListener('error', reject);
      boundPort = (server.address() as net.AddressInfo).port;
      resolve({ protocol: 'TCP', address, port: boundPort, close });
    });
  });
}
