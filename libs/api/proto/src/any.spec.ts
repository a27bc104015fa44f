import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, packAny, typedAny, unpackAny } from './any';
import type { HttpConnectionManager, HttpConnectionManager__Output, Listener, Listener__Output } from './envoy-types';
import { ProtoError } from './errors';
import { jsonToStruct, structToJson } from './struct';
import { EXTENSION_TYPE_URL, TYPE_URL } from './type-urls';

const listener: Listener = {
  name: 'echo:7070',
  apiListener: {
    apiListener: typedAny<HttpConnectionManager>(EXTENSION_TYPE_URL.httpConnectionManager, {
      statPrefix: 'echo',
      rds: { routeConfigName: 'echo-routes', configSource: { ads: {} } },
      httpFilters: [{ name: 'router', typedConfig: typedAny(EXTENSION_TYPE_URL.router, {}) }],
    }),
  },
};

describe('Any packing', () => {
  it('round-trips a resource with nested JSON-style Anys', () => {
    const any = packAny(TYPE_URL.listener, listener);
    expect(any.type_url).toBe(TYPE_URL.listener);
    const { message } = unpackAny<Listener__Output>(any);
    expect(message.name).toBe('echo:7070');
    const hcmAny = message.apiListener!.apiListener!;
    expect('type_url' in hcmAny && hcmAny.type_url).toBe(EXTENSION_TYPE_URL.httpConnectionManager);
    const hcm = unpackAny<HttpConnectionManager__Output>(hcmAny as never).message;
    expect(hcm.rds?.routeConfigName).toBe('echo-routes');
    expect(hcm.routeSpecifier).toBe('rds');
    expect(hcm.httpFilters[0]!.name).toBe('router');
  });

  it('accepts nested Anys already packed, and decoded objects (oneof names) again', () => {
    const hcmBytes = encodeMessage(EXTENSION_TYPE_URL.httpConnectionManager, { statPrefix: 's', routeConfig: { name: 'inline' } });
    const bytes = encodeMessage(TYPE_URL.listener, {
      name: 'l',
      apiListener: { apiListener: { type_url: EXTENSION_TYPE_URL.httpConnectionManager, value: hcmBytes } },
    });
    const decoded = decodeMessage<Listener__Output>(TYPE_URL.listener, bytes);
    expect(decodeMessage(TYPE_URL.listener, encodeMessage(TYPE_URL.listener, decoded))).toEqual(decoded);
  });

  it('rejects unknown fields and hints at camelCase', () => {
    expect(() => encodeMessage(TYPE_URL.cluster, { name: 'c', lb_policy: 'ROUND_ROBIN' })).toThrow(/lb_policy.*did you mean lbPolicy/);
    try {
      encodeMessage(TYPE_URL.listener, { name: 'l', apiListener: { apiListener: { '@type': EXTENSION_TYPE_URL.httpConnectionManager, stat_prefix: 'x' } } });
      expect.fail('should throw');
    } catch (err) {
      expect(err).toBeInstanceOf(ProtoError);
      expect((err as ProtoError).code).toBe('PROTO_MESSAGE_INVALID');
      expect((err as Error).message).toContain('HttpConnectionManager');
    }
    expect(encodeMessage(TYPE_URL.cluster, { name: 'c', lb_policy: 'ROUND_ROBIN' }, { strict: false }).length).toBeGreaterThan(0);
  });

  it('names unknown type URLs', () => {
    expect(() => encodeMessage('type.googleapis.com/nope.v1.Nothing', {})).toThrow(/PROTO|nope\.v1\.Nothing/);
  });
});

describe('Struct helpers', () => {
  it('round-trips plain JSON', () => {
    const json = { NAMESPACE: 'default', LABELS: { app: 'echo' }, PORTS: [1, 2], ON: true, NONE: null };
    expect(structToJson(jsonToStruct(json))).toEqual(json);
  });
  it('reads the loader form (with kind)', () => {
    expect(structToJson({ fields: { A: { stringValue: 'x', kind: 'stringValue' } } })).toEqual({ A: 'x' });
  });
});
