import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoApp } from './echo-app';
import { loadEchoService, type EchoRequest, type EchoResponse } from './grpc-server';
import { startTestEcho, bodyOf } from './spec-helpers';

let app: EchoApp;
let client: grpc.Client;

interface Answer {
  err: grpc.ServiceError | null;
  res?: EchoResponse;
  headers?: grpc.Metadata;
}

function echo(message: string, md: Record<string, string> = {}): Promise<Answer> {
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(md)) metadata.set(k, v);
  return new Promise((resolve) => {
    let headers: grpc.Metadata | undefined;
    const call = (client as unknown as Record<string, (...a: unknown[]) => grpc.ClientUnaryCall>).Echo(
      { message } satisfies EchoRequest,
      metadata,
      (err: grpc.ServiceError | null, res?: EchoResponse) => resolve({ err, res, headers }),
    );
    call.on('metadata', (m: grpc.Metadata) => (headers = m));
  });
}

beforeAll(async () => {
  app = await startTestEcho();
  const Echo = loadEchoService();
  client = new Echo(`127.0.0.1:${app.port('GRPC')}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await app.close(0);
});

describe('gRPC Echo', () => {
  it('echoes the message with identity and the metadata it received', async () => {
    const { err, res, headers } = await echo('hello', { 'x-request-id': 'abc', 'x-custom': 'meta' });
    expect(err).toBeNull();
    expect(res).toMatchObject({ message: 'hello', service: 'echo', version: 'v1', instance: 'echo-v1-0' });
    expect(res!.headers['x-request-id']).toBe('abc');
    expect(res!.headers['x-custom']).toBe('meta');
    expect(headers?.get('x-echo-instance')).toEqual(['echo-v1-0']);
  });

  it('maps x-echo-status 503 to UNAVAILABLE', async () => {
    const { err } = await echo('x', { 'x-echo-status': '503' });
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('fails Trailers-Only (identity in the trailers, no response headers), so gRPC clients can retry', async () => {
    const { err, headers } = await echo('x', { 'x-echo-status': '503' });
    expect(headers).toBeUndefined();
    expect(err?.metadata.get('x-echo-instance')).toEqual(['echo-v1-0']);
  });

  it('rejects a bad control value with INVALID_ARGUMENT and a clear message', async () => {
    const { err } = await echo('x', { 'x-echo-status': 'banana' });
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/x-echo-status.*banana/);
  });

  it('honours x-echo-delay-ms', async () => {
    const t0 = performance.now();
    const { err } = await echo('x', { 'x-echo-delay-ms': '150' });
    expect(err).toBeNull();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
  });

  it('fails the first N calls with an id with UNAVAILABLE, then succeeds; counted with HTTP stats', async () => {
    const md = { 'x-echo-fail-first': '1', 'x-echo-id': 'grpc-ff' };
    expect((await echo('1', md)).err?.code).toBe(grpc.status.UNAVAILABLE);
    expect((await echo('2', md)).err).toBeNull();
    const stats = await bodyOf(await fetch(`http://127.0.0.1:${app.port('HTTP')}/_echo/stats`));
    expect(stats.byId['grpc-ff']).toEqual({ total: 2, byMethod: { Echo: 2 }, byProtocol: { gRPC: 2 } });
  });
});
