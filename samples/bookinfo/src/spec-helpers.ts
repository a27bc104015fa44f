// Helpers for the Bookinfo specs: start roles in-process on loopback
// ephemeral ports, wire them together with a SEXTANT_SERVICES map, and put
// recording stand-ins in front of them.
import http from 'node:http';
import net from 'node:net';
import { silentLogger } from '@sextant/util';
import { startRole } from './roles';
import type { RunningRole } from './server';
import { loadBookinfoConfig, type Role } from './settings';

export type Upstream = { port: number };

/** Env that makes a role find the given upstreams (by Istio's host names) on their real ports. */
export function meshEnv(upstreams: Partial<Record<'details' | 'reviews' | 'ratings', Upstream>>): Record<string, string> {
  const services: Record<string, string[]> = {};
  const env: Record<string, string> = {};
  for (const [name, u] of Object.entries(upstreams)) {
    services[name] = [`127.0.0.1:${u.port}`];
    env[`${name.toUpperCase()}_SERVICE_PORT`] = String(u.port);
  }
  return { ...env, SEXTANT_SERVICES: JSON.stringify(services) };
}

export function startBookinfo(role: Role, version = 'v1', env: Record<string, string> = {}): Promise<RunningRole> {
  const config = loadBookinfoConfig([role], { SEXTANT_VERSION: version, SEXTANT_ADDRESS: '127.0.0.1', BOOKINFO_PORT: '0', ...env });
  return startRole(config, silentLogger());
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface Spy {
  port: number;
  /** Headers of every request seen, in order. */
  seen: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** A server that records each request's headers, then lets `handle` answer it. */
export async function startSpy(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Spy> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Handler that passes requests on to 127.0.0.1:port. */
export function forwardTo(port: number) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const up = http.request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  };
}

/** Handler that answers with `body` as JSON after `delayMs`. */
export function slowly(delayMs: number, body: unknown) {
  return (_req: http.IncomingMessage, res: http.ServerResponse) => {
    const t = setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)), delayMs);
    res.on('close', () => clearTimeout(t));
  };
}

export async function getText(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { headers });
  return { status: res.status, text: await res.text() };
}
