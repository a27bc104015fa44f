import { describe, expect, it } from 'vitest';
import { TYPE_URL } from '@sextant/proto';
import type { ConnectionStatus, TypeStatus } from '@sextant/xds-server';
import { syncEntry, syncState } from './debug-handlers';
import { toJson } from './json';

const t = (state: TypeStatus['state'], typeUrl: string = TYPE_URL.cluster): TypeStatus => ({ typeUrl, wildcard: false, subscribed: [], resources: 1, state });

describe('sync states (istioctl words)', () => {
  it('maps the server state and a queued push', () => {
    expect(syncState(undefined, false)).toBe('NOT SENT');
    expect(syncState(t('none'), false)).toBe('NOT SENT');
    expect(syncState(t('acked'), false)).toBe('SYNCED');
    expect(syncState(t('acked'), true)).toBe('STALE');
    expect(syncState(t('pending'), false)).toBe('STALE');
    expect(syncState(t('nacked'), true)).toBe('NACKED');
  });

  it('reports every type of a connection by short name', () => {
    const c: ConnectionStatus = {
      connectionId: 'sotw-1',
      protocol: 'sotw',
      peer: '127.0.0.1:1',
      connectedSince: 'now',
      types: [t('acked'), { ...t('nacked', TYPE_URL.route), lastNack: { version: 'v2', nonce: 'n', clientVersion: 'v1', code: 3, message: 'bad', names: [], at: 'now' } }],
      inconsistencies: [],
      queue: { requests: 0, pushPending: false, inFlightResponses: 0 },
      proxy: { id: 'sidecar~1.2.3.4~a.default~default.svc.cluster.local', istio: true, ipAddresses: [], cluster: '', metadata: {}, userAgent: 'gRPC Node/1', clientFeatures: [], namespace: 'default' },
    };
    const e = syncEntry(c, 'push-1');
    expect(Object.fromEntries(Object.entries(e.types).map(([k, v]) => [k, v.sync]))).toEqual({ cds: 'SYNCED', lds: 'NOT SENT', eds: 'NOT SENT', rds: 'NACKED', sds: 'NOT SENT' });
    expect(e).toMatchObject({ proxy: c.proxy!.id, pushVersion: 'push-1', userAgent: 'gRPC Node/1', namespace: 'default' });
    expect(e.types['rds']!.lastNack!.message).toBe('bad');
  });
});

describe('toJson', () => {
  it('decodes packed Anys and base64s bytes', () => {
    const packed = { type_url: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router', value: Buffer.alloc(0) };
    expect(toJson({ a: [packed], b: new Uint8Array([1, 2]), c: undefined, d: 1 })).toEqual({
      a: [{ '@type': packed.type_url, ...(toJson({}) as object) }].map((x) => expect.objectContaining(x)),
      b: 'AQI=',
      d: 1,
    });
  });
});
