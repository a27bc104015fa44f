// The ADS gRPC client, built from the Envoy message types the decoders
// already load (no second proto-loader parse of the discovery protos: that
// would cost the proxy several MB for nothing).
import * as grpc from '@grpc/grpc-js';
import { envoyMessageType } from '@sextant/proto';

const SERVICE = '/envoy.service.discovery.v3.AggregatedDiscoveryService';
const TO_OBJECT = { longs: String, enums: String, defaults: true, oneofs: true } as const;

function codec(name: string): { serialize(obj: object): Buffer; deserialize(buf: Buffer): object } {
  const type = envoyMessageType(`type.googleapis.com/envoy.service.discovery.v3.${name}`);
  return {
    serialize: (obj) => Buffer.from(type.encode(type.fromObject(obj)).finish()),
    deserialize: (buf) => type.toObject(type.decode(buf), TO_OBJECT),
  };
}

export interface AdsClient extends grpc.Client {
  StreamAggregatedResources(): grpc.ClientDuplexStream<object, object>;
  DeltaAggregatedResources(): grpc.ClientDuplexStream<object, object>;
}

let ctor: grpc.ServiceClientConstructor | undefined;

export function adsClientConstructor(): grpc.ServiceClientConstructor {
  if (ctor) return ctor;
  const sotwReq = codec('DiscoveryRequest');
  const sotwResp = codec('DiscoveryResponse');
  const deltaReq = codec('DeltaDiscoveryRequest');
  const deltaResp = codec('DeltaDiscoveryResponse');
  const method = (name: string, req: ReturnType<typeof codec>, resp: ReturnType<typeof codec>) => ({
    path: `${SERVICE}/${name}`,
    requestStream: true,
    responseStream: true,
    requestSerialize: req.serialize,
    requestDeserialize: req.deserialize,
    responseSerialize: resp.serialize,
    responseDeserialize: resp.deserialize,
  });
  ctor = grpc.makeGenericClientConstructor(
    {
      StreamAggregatedResources: method('StreamAggregatedResources', sotwReq, sotwResp),
      DeltaAggregatedResources: method('DeltaAggregatedResources', deltaReq, deltaResp),
    },
    'AggregatedDiscoveryService',
  );
  return ctor;
}
