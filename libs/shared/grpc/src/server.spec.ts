import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { configServiceDefinition } from '@sextant/proto';
import { SextantError } from '@sextant/util';
import { bindServer, createServer, deadlineIn, shutdownServer } from './server';
import { toServiceError } from './status';

describe('gRPC helpers', () => {
  it('binds port 0, serves, maps errors to statuses, and drains in-flight calls on shutdown', async () => {
    const def = configServiceDefinition();
    const server = createServer();
    server.addService(def.service, {
      Get: (call: grpc.ServerUnaryCall<{ ref: { name: string } }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        if (call.request.ref.name === 'missing') return cb(toServiceError(new SextantError('RESOURCE_NOT_FOUND', 'VirtualService default/missing not found')));
        setTimeout(() => cb(null, { json: '{}', ref: call.request.ref }), 300);
      },
    });
    const port = await bindServer(server, '127.0.0.1', 0);
    expect(port).toBeGreaterThan(0);
    const client = new def(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const get = (name: string) =>
      new Promise<{ err: grpc.ServiceError | null; res: unknown }>((resolve) =>
        client['Get']({ ref: { kind: 'VirtualService', namespace: 'default', name } }, { deadline: deadlineIn(5_000) }, (err: grpc.ServiceError | null, res: unknown) => resolve({ err, res })),
      );
    const missing = await get('missing');
    expect(missing.err?.code).toBe(grpc.status.NOT_FOUND);
    expect(missing.err?.details).toBe('VirtualService default/missing not found');
    expect(missing.err?.metadata.get('sextant-error-code')).toEqual(['RESOURCE_NOT_FOUND']);

    const slow = get('reviews');
    await new Promise((r) => setTimeout(r, 50));
    await shutdownServer(server, 5_000);
    const { err } = await slow;
    expect(err).toBeNull();
    client.close();
  });

  it('says which address could not be bound', async () => {
    const a = createServer();
    const port = await bindServer(a, '127.0.0.1', 0);
    const b = createServer();
    await expect(bindServer(b, '127.0.0.1', port)).rejects.toThrow(`cannot listen for gRPC on 127.0.0.1:${port}`);
    a.forceShutdown();
  });

  it('maps error codes by suffix and hides nothing else', () => {
    expect(toServiceError(new SextantError('CONFIG_INVALID', 'x')).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(toServiceError(new SextantError('CONFIG_STALE', 'x')).code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(toServiceError(new SextantError('TOKEN_UNAUTHENTICATED', 'x')).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(toServiceError(new Error('boom'))).toMatchObject({ code: grpc.status.INTERNAL, details: 'boom' });
  });
});
