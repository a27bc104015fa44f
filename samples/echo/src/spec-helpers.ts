// Helpers for the echo specs: start instances on loopback ephemeral ports and
// talk HTTP/1.1 and h2c to them.
import http2 from 'node:http2';
import type { WorkloadIdentity, WorkloadPort } from '@sextant/workloads';
import { startEcho, type EchoApp } from './echo-app';

export function identity(overrides: Partial<WorkloadIdentity> = {}): WorkloadIdentity {
  const ports: WorkloadPort[] = [
    { name: 'http', port: 0, protocol: 'HTTP' },
    { name: 'http2', port: 0, protocol: 'HTTP2' },
    { name: 'grpc', port: 0, protocol: 'GRPC' },
    { name: 'tcp', port: 0, protocol: 'TCP' },
  ];
  return {
    name: 'echo-v1',
    service: 'echo',
    namespace: 'default',
    serviceAccount: 'default',
    instance: 'echo-v1-0',
    version: 'v1',
    labels: { app: 'echo', version: 'v1' },
    address: '127.0.0.1',
    ports,
    ...overrides,
  };
}

export function startTestEcho(overrides: Partial<WorkloadIdentity> = {}, env: Record<string, string> = {}): Promise<EchoApp> {
  return startEcho(identity(overrides), { env });
}

export interface H2Answer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: string;
}

/** One h2c (prior knowledge) request. */
export function h2cRequest(port: number, path: string, headers: Record<string, string> = {}, body?: string): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const stream = session.request({ ':path': path, ':method': body === undefined ? 'GET' : 'POST', ...headers });
    let status = 0;
    let responseHeaders: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      status = Number(h[':status']);
      responseHeaders = h;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      session.close();
      resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks).toString('utf8') });
    });
    stream.on('error', reject);
    stream.end(body);
  });
}

/** A response body as loosely typed JSON, for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
export async function bodyOf(res: Response): Promise<Json> {
  return res.json();
}
