// State-of-the-world ADS: one DiscoveryRequest per type names everything
// wanted; each DiscoveryResponse is ACKed with its version_info and nonce, or
// NACKed with the last accepted version, the nonce and error_detail.
import type * as grpc from '@grpc/grpc-js';
import type { DiscoveryRequest, DiscoveryResponse__Output } from '@sextant/proto';
import type { AnyLike } from './decode-support';
import { KIND_ORDER, RESOURCE_TYPES, typeForUrl, type ResourceKind } from './resource-types';
import { NACK_CODE, nackMessage, unpackItem, type AdsStream, type StreamHost } from './stream-host';

interface TypeState {
  /** Last accepted version_info. */
  version: string;
  /** Nonce of the last response seen. */
  nonce: string;
  /** Whether a request was sent on this stream. */
  requested: boolean;
}

export class SotwStream implements AdsStream {
  readonly protocol = 'sotw' as const;
  private readonly state = new Map<ResourceKind, TypeState>();
  private nodeSent = false;
  private closed = false;

  constructor(
    private readonly call: grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse__Output>,
    private readonly host: StreamHost,
    /** Versions accepted on earlier streams, so a new stream does not re-apply unchanged config. */
    initialVersions: Partial<Record<ResourceKind, string>>,
  ) {
    for (const kind of KIND_ORDER) this.state.set(kind, { version: initialVersions[kind] ?? '', nonce: '', requested: false });
    call.on('data', (resp: DiscoveryResponse__Output) => this.onResponse(resp));
  }

  start(): void {
    for (const kind of KIND_ORDER) {
      const sub = this.host.subscription(kind);
      if (sub.wildcard || sub.names.size > 0) this.send(kind);
    }
  }

  resubscribe(kind: ResourceKind): void {
    if (this.closed) return;
    const st = this.state.get(kind)!;
    const sub = this.host.subscription(kind);
    // Nothing wanted and never asked: stay quiet. Otherwise tell the server the new set (possibly empty).
    if (!st.requested && sub.names.size === 0 && !sub.wildcard) return;
    this.send(kind);
  }

  close(): void {
    this.closed = true;
    this.call.cancel();
  }

  private request(kind: ResourceKind, extra: Partial<DiscoveryRequest> = {}): DiscoveryRequest {
    const st = this.state.get(kind)!;
    const sub = this.host.subscription(kind);
    const req: DiscoveryRequest = {
      typeUrl: RESOURCE_TYPES[kind].typeUrl,
      versionInfo: st.version,
      responseNonce: st.nonce,
      resourceNames: sub.wildcard ? [] : [...sub.names].sort(),
      ...extra,
    };
    if (!this.nodeSent) {
      req.node = this.host.node;
      this.nodeSent = true;
    }
    return req;
  }

  private send(kind: ResourceKind, extra?: Partial<DiscoveryRequest>): void {
    if (this.closed) return;
    this.state.get(kind)!.requested = true;
    this.call.write(this.request(kind, extra));
  }

  private onResponse(resp: DiscoveryResponse__Output): void {
    if (this.closed) return;
    const type = typeForUrl(resp.typeUrl);
    if (!type) {
      this.host.log.warn({ typeUrl: resp.typeUrl }, 'response for a type this proxy never asked for; ignored');
      return;
    }
    const kind = type.kind;
    const st = this.state.get(kind)!;
    st.nonce = resp.nonce;
    this.host.onResponse(kind);
    const resources = (resp.resources ?? []).map((any) => unpackItem(kind, any as AnyLike, '', resp.versionInfo));
    const errors = this.host.apply(kind, { complete: type.wildcard, systemVersion: resp.versionInfo, resources, removed: [] });
    if (errors.length === 0) {
      st.version = resp.versionInfo;
      this.send(kind);
      this.host.onAck(kind, { version: resp.versionInfo, nonce: resp.nonce });
    } else {
      const message = nackMessage(errors);
      this.send(kind, { errorDetail: { code: NACK_CODE, message } });
      this.host.onAck(kind, { version: st.version, nonce: resp.nonce, error: message });
    }
  }
}
