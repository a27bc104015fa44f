import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { describeRoot, rootFromDescriptor } from './envoy-descriptor';
import { ENVOY_RESOURCE_PROTOS, envoyDescriptor, envoyRoot, loadMoreEnvoyProtos } from './envoy-root';
import { EXTENSION_TYPE_URL } from './type-urls';

const TO_OBJECT = { longs: String, enums: String, defaults: true, oneofs: true } as const;

function types(ns: protobuf.NamespaceBase, out: (protobuf.Type | protobuf.Enum)[] = []): (protobuf.Type | protobuf.Enum)[] {
  for (const x of ns.nestedArray) {
    if (x instanceof protobuf.Type || x instanceof protobuf.Enum) out.push(x);
    if (x instanceof protobuf.Namespace || x instanceof protobuf.Type) types(x, out);
  }
  return out;
}

const shape = (t: protobuf.Type) => ({
  fields: t.fieldsArray.map((f) => [f.name, f.id, (f as unknown as { rule?: string }).rule ?? '', f.resolvedType?.fullName ?? f.type, f instanceof protobuf.MapField ? f.keyType : '', f.repeated, f.packed, f.partOf?.name ?? '']),
  oneofs: t.oneofsArray.map((o) => [o.name, o.oneof]),
});

describe('Envoy descriptor', () => {
  loadMoreEnvoyProtos(['envoy/extensions/filters/http/fault/v3/fault.proto', 'udpa/type/v1/typed_struct.proto']);
  const parsed = envoyRoot();
  const d = envoyDescriptor();
  const fromJson = rootFromDescriptor(JSON.parse(JSON.stringify(d)) as typeof d);

  it('lists the files asked for and holds every message and enum of the parsed Root with the same fields', () => {
    expect(d.files).toEqual(expect.arrayContaining([...ENVOY_RESOURCE_PROTOS, 'envoy/extensions/filters/http/fault/v3/fault.proto']));
    const all = types(parsed);
    expect(all.length).toBeGreaterThan(300);
    for (const t of all) {
      const other = fromJson.lookup(t.fullName);
      expect(other, t.fullName).toBeDefined();
      const own = (x: ReturnType<typeof shape>) => ({ ...x, fields: x.fields.filter((f) => !String(f[0]).startsWith('.')) });
      if (t instanceof protobuf.Type) expect(shape(other as protobuf.Type), t.fullName).toEqual(own(shape(t)));
      else expect((other as protobuf.Enum).values, t.fullName).toEqual(t.values);
    }
  });

  it('encodes and decodes a resource with nested Anys, maps, packed and repeated fields to the same bytes and objects', () => {
    const object = {
      name: 'l',
      address: { socketAddress: { address: '0.0.0.0', portValue: 8080 } },
      filterChains: [
        {
          filterChainMatch: { destinationPort: { value: 80 }, serverNames: ['a', 'b'], sourcePorts: [1, 2, 3] },
          filters: [
            {
              name: 'hcm',
              typedConfig: {
                '@type': EXTENSION_TYPE_URL.httpConnectionManager,
                statPrefix: 's',
                codecType: 'HTTP2',
                routeConfig: { name: 'r', virtualHosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c', timeout: { seconds: 3, nanos: 5 } } }] }] },
                httpFilters: [{ name: 'router', typedConfig: { '@type': EXTENSION_TYPE_URL.router } }],
              },
            },
          ],
        },
      ],
      metadata: { filterMetadata: { istio: { fields: { k: { stringValue: 'v' } } } } },
    };
    const name = 'envoy.config.listener.v3.Listener';
    const [a, b] = [parsed.lookupType(name), fromJson.lookupType(name)];
    const bytes = a.encode(a.fromObject(object)).finish();
    expect(Buffer.from(b.encode(b.fromObject(object)).finish()).equals(Buffer.from(bytes))).toBe(true);
    expect(b.toObject(b.decode(bytes), TO_OBJECT)).toEqual(a.toObject(a.decode(bytes), TO_OBJECT));
    const hcm = b.toObject(b.decode(bytes), TO_OBJECT).filterChains[0].filters[0].typedConfig;
    expect(hcm.type_url).toBe(EXTENSION_TYPE_URL.httpConnectionManager);
  });

  it('drops options that do not change the wire format', () => {
    const json = JSON.stringify(describeRoot(parsed, []));
    expect(json).not.toContain('(validate.rules)');
    expect(json).not.toContain('"(udpa.annotations');
    expect(json).not.toContain('".validate.rules"');
    expect(json.length).toBeLessThan(JSON.stringify(parsed.toJSON()).length);
  });
});
