// EncodedResponse messages written through the framed path (prefix, shared
// body, tail) arrive as ordinary gRPC messages that the generic
// DiscoveryResponse deserializer reads, in order, interleaved with messages
// that take grpc-js's own path, with and without server interceptors.
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { TYPE_URL, adsServiceDefinition, packAny, type DiscoveryRequest, type DiscoveryResponse__Output } from '@sextant/proto';
import { enableFramedWrites } from '../src/framed-writes';
import { EncodedResponse, encodeDiscoveryResponse, encodeResponseBody, encodeResponseTail } from '../src/response-encoder';

const Ads = adsServiceDefinition();
const def = Ads.service as unknown as Record<string, grpc.MethodDefinition<unknown, unknown>>;
const sotw = def['StreamAggregatedResources']!;
const generic = sotw.responseSerialize;
/** EncodedResponses that went through grpc-js serialization (the path the framed writes avoid). */
let serializedEncoded = 0;
const serialize = (v: unknown) => {
  if (v instanceof EncodedResponse) serializedEncoded++;
  return encodeDiscoveryResponse(v) ?? generic(v);
};
const service = { ...def, StreamAggregatedResources: { ...sotw, responseSerialize: serialize } } as unknown as grpc.ServiceDefinition;

const clusters = Array.from({ length: 300 }, (_, i) => packAny(TYPE_URL.cluster, { name: `outbound|8080||svc-${i}.ns.svc.cluster.local`, type: 'EDS', edsClusterConfig: { edsConfig: { ads: {} } } }));
const body = encodeResponseBody('v1', clusters, TYPE_URL.cluster);

let servers: grpc.Server[] = [];
let clients: grpc.Client[] = [];
afterEach(() => {
  for (const c of clients) c.close();
  for (const s of servers) s.forceShutdown();
  servers = [];
  clients = [];
  serializedEncoded = 0;
});

async function serve(interceptors: grpc.ServerInterceptor[]): Promise<{ framed: boolean[]; responses: () => Promise<DiscoveryResponse__Output[]> }> {
  const framed: boolean[] = [];
  const server = new grpc.Server({ interceptors });
  server.addService(service, {
    StreamAggregatedResources: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      framed.push(enableFramedWrites(call));
      call.on('data', () => {
        // Three shared-body responses, one plain object in between, then OK.
        call.write(new EncodedResponse(body, encodeResponseTail('n-1'), 'v1', TYPE_URL.cluster, 'n-1'));
        call.write({ versionInfo: 'plain', typeUrl: TYPE_URL.listener, nonce: 'n-2', resources: [] });
        call.write(new EncodedResponse(body, encodeResponseTail('n-3', 'pilot@test'), 'v1', TYPE_URL.cluster, 'n-3'));
        call.write(new EncodedResponse(body, encodeResponseTail('n-4'), 'v1', TYPE_URL.cluster, 'n-4'));
        call.end();
      });
    },
    DeltaAggregatedResources: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.end(),
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  servers.push(server);
  const client = new Ads(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  clients.push(client);
  const responses = () =>
    new Promise<DiscoveryResponse__Output[]>((resolve, reject) => {
      const call = (client as unknown as Record<string, () => grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse__Output>>)['StreamAggregatedResources']!.call(client);
      const got: DiscoveryResponse__Output[] = [];
      call.on('data', (r: DiscoveryResponse__Output) => got.push(r));
      call.on('error', reject);
      call.on('status', (s: grpc.StatusObject) => (s.code === grpc.status.OK ? resolve(got) : reject(new Error(s.details))));
      call.write({ typeUrl: TYPE_URL.cluster });
      call.end();
    });
  return { framed, responses };
}

function expectResponses(got: DiscoveryResponse__Output[]): void {
  expect(got.map((r) => [r.typeUrl, r.versionInfo, r.nonce, r.resources.length, r.controlPlane?.identifier ?? ''])).toEqual([
    [TYPE_URL.cluster, 'v1', 'n-1', 300, ''],
    [TYPE_URL.listener, 'plain', 'n-2', 0, ''],
    [TYPE_URL.cluster, 'v1', 'n-3', 300, 'pilot@test'],
    [TYPE_URL.cluster, 'v1', 'n-4', 300, ''],
  ]);
  const bytes = (a: unknown) => Buffer.from((a as { value: Uint8Array }).value);
  for (const r of [got[0]!, got[2]!, got[3]!]) expect(r.resources.map((a, i) => bytes(a).equals(bytes(clusters[i])))).not.toContain(false);
}

describe('framed writes', () => {
  it('sends shared bodies without grpc-js serialization, as the same messages', async () => {
    const { framed, responses } = await serve([]);
    expectResponses(await responses());
    expect(framed).toEqual([true]);
    expect(serializedEncoded).toBe(0);
  });

  it('works behind server interceptors', async () => {
    const passThrough: grpc.ServerInterceptor = (_method, call) => new grpc.ServerInterceptingCall(call);
    const { framed, responses } = await serve([passThrough, passThrough]);
    expectResponses(await responses());
    expect(framed).toEqual([true]);
    expect(serializedEncoded).toBe(0);
  });

  it('serializes an EncodedResponse to the generic encoder\'s bytes when the framed path is not used', () => {
    const res = new EncodedResponse(body, encodeResponseTail('n-9', 'cp'), 'v1', TYPE_URL.cluster, 'n-9');
    const plain = { versionInfo: 'v1', resources: clusters, typeUrl: TYPE_URL.cluster, nonce: 'n-9', controlPlane: { identifier: 'cp' } };
    expect(encodeDiscoveryResponse(res)!.equals(generic(plain))).toBe(true);
  });
});
