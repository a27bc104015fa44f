import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEcho, type EchoApp } from './echo-app';
import { parseEchoOptions } from './options';
import { identity, startTestEcho } from './spec-helpers';

let app: EchoApp;
beforeAll(async () => {
  app = await startTestEcho();
});
afterAll(() => app.close(0));

describe('TCP echo', () => {
  it('writes back every byte it receives, then closes when the peer half-closes', async () => {
    const payload = Buffer.concat([Buffer.from('hello tcp\n'), Buffer.from([0, 1, 2, 255, 254]), Buffer.alloc(100_000, 7)]);
    const socket = net.connect(app.port('TCP'), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((r) => socket.on('end', () => r()));
    socket.write(payload.subarray(0, 10));
    socket.end(payload.subarray(10));
    await ended;
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
  });

  it('ends open connections on shutdown', async () => {
    const other = await startTestEcho({ ports: [{ name: 'tcp', port: 0, protocol: 'TCP' }] });
    const socket = net.connect(other.port('TCP'), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('ping');
    const echoed = await new Promise<string>((r) => socket.once('data', (c) => r(c.toString())));
    expect(echoed).toBe('ping');
    const ended = new Promise<void>((r) => socket.on('end', () => r()));
    socket.on('end', () => socket.end());
    await other.close(2000);
    await ended;
  });

  it('with a prefix, answers each connection with the prefix and then the echo (Istio tcp-echo style)', async () => {
    expect(parseEchoOptions([], { ECHO_TCP_PREFIX: 'one ' }).tcpPrefix).toBe('one ');
    expect(parseEchoOptions(['--tcp-prefix', 'two '], {}).tcpPrefix).toBe('two ');
    const prefixed = await startEcho(identity({ ports: [{ name: 'tcp', port: 0, protocol: 'TCP' }] }), { tcpPrefix: 'one ' });
    for (let i = 0; i < 2; i++) {
      const socket = net.connect(prefixed.port('TCP'), '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      const ended = new Promise<void>((r) => socket.on('end', () => r()));
      socket.end(`hello ${i}\n`);
      await ended;
      expect(Buffer.concat(chunks).toString()).toBe(`one hello ${i}\n`);
    }
    await prefixed.close(0);
  });
});
