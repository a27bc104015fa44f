// Istio's HTTP metadata exchange: each side of a mesh hop tells the other
// who it is in x-envoy-peer-metadata (base64 protobuf Struct) and
// x-envoy-peer-metadata-id, so both can label metrics with source and
// destination workloads. Headers are built once; peers are decoded once per
// distinct value and interned (metrics use them as map keys).
import { envoyMessageType, jsonToStruct, structToJson } from '@sextant/proto';

export const PEER_HEADER = 'x-envoy-peer-metadata';
export const PEER_ID_HEADER = 'x-envoy-peer-metadata-id';

export interface PeerLabels {
  workload: string;
  namespace: string;
  principal: string;
  app: string;
  version: string;
  canonicalService: string;
  canonicalRevision: string;
  cluster: string;
}

export const UNKNOWN_PEER: PeerLabels = Object.freeze({
  workload: 'unknown',
  namespace: 'unknown',
  principal: 'unknown',
  app: 'unknown',
  version: 'unknown',
  canonicalService: 'unknown',
  canonicalRevision: 'latest',
  cluster: 'unknown',
});

export interface SelfDescription {
  id: string;
  instance: string;
  namespace: string;
  workloadName: string;
  serviceAccount: string;
  labels: Record<string, string>;
  clusterId: string;
  trustDomain: string;
}

const STRUCT_URL = 'type.googleapis.com/google.protobuf.Struct';

export function peerLabelsOf(self: SelfDescription): PeerLabels {
  const l = self.labels;
  const canonical = l['service.istio.io/canonical-name'] ?? l['app.kubernetes.io/name'] ?? l['app'] ?? self.workloadName;
  return {
    workload: self.workloadName,
    namespace: self.namespace,
    principal: `spiffe://${self.trustDomain}/ns/${self.namespace}/sa/${self.serviceAccount}`,
    app: l['app'] ?? canonical,
    version: l['version'] ?? 'unknown',
    canonicalService: canonical,
    canonicalRevision: l['service.istio.io/canonical-revision'] ?? l['version'] ?? 'latest',
    cluster: self.clusterId,
  };
}

/** The two headers this proxy sends, computed once. */
export function encodeSelf(self: SelfDescription): { id: string; metadata: string } {
  const json = {
    NAME: self.instance,
    NAMESPACE: self.namespace,
    WORKLOAD_NAME: self.workloadName,
    SERVICE_ACCOUNT: self.serviceAccount,
    CLUSTER_ID: self.clusterId,
    LABELS: self.labels,
  };
  const type = envoyMessageType(STRUCT_URL);
  const bytes = type.encode(type.fromObject(jsonToStruct(json))).finish();
  return { id: self.id, metadata: Buffer.from(bytes).toString('base64') };
}

export class PeerDecoder {
  private readonly cache = new Map<string, PeerLabels>();

  constructor(private readonly trustDomain: string) {}

  decode(header: string | undefined): PeerLabels {
    if (!header) return UNKNOWN_PEER;
    let p = this.cache.get(header);
    if (p !== undefined) return p;
    p = this.parse(header);
    if (this.cache.size >= 1000) this.cache.clear();
    this.cache.set(header, p);
    return p;
  }

  private parse(header: string): PeerLabels {
    try {
      const type = envoyMessageType(STRUCT_URL);
      const msg = type.toObject(type.decode(Buffer.from(header, 'base64')), { defaults: true, oneofs: true });
      const json = structToJson(msg as never);
      const labels = (typeof json['LABELS'] === 'object' && json['LABELS'] !== null && !Array.isArray(json['LABELS']) ? json['LABELS'] : {}) as Record<string, string>;
      const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
      const namespace = str(json['NAMESPACE']) ?? 'unknown';
      const workload = str(json['WORKLOAD_NAME']) ?? 'unknown';
      const sa = str(json['SERVICE_ACCOUNT']);
      const canonical = labels['service.istio.io/canonical-name'] ?? labels['app.kubernetes.io/name'] ?? labels['app'] ?? workload;
      return {
        workload,
        namespace,
        principal: sa ? `spiffe://${this.trustDomain}/ns/${namespace}/sa/${sa}` : 'unknown',
        app: labels['app'] ?? canonical,
        version: labels['version'] ?? 'unknown',
        canonicalService: canonical,
        canonicalRevision: labels['service.istio.io/canonical-revision'] ?? labels['version'] ?? 'latest',
        cluster: str(json['CLUSTER_ID']) ?? 'unknown',
      };
    } catch {
      return UNKNOWN_PEER;
    }
  }
}
