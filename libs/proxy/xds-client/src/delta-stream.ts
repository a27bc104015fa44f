// Incremental (delta) ADS: subscriptions change by difference, responses
// carry only changed resources (name, version, body) and removed names, and
// each response is ACKed by nonce (NACKed with error_detail). A new stream
// tells the server what the proxy already has (initial_resource_versions).
import type * as grpc from '@grpc/grpc-js';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse__Output } from '@sextant/proto';
import type { AnyLike } from './decode-support';
import { KIND_ORDER, RESOURCE_TYPES, typeForUrl, type ResourceKind } from './resource-types';
import { NACK_CODE, nackMessage, unpackItem, type AdsStream, type ResourceUpdateItem, type StreamHost } from './stream-host';

export class DeltaStream implements AdsStream {
  readonly protocol = 'delta' as const;
  /** Names subscribed on this stream, per type (wildcard types: the legacy wildcard, no names). */
  private readonly subscribed = new Map<ResourceKind, Set<string>>();
  private readonly started = new Set<ResourceKind>();
  private nodeSent = false;
  private closed = false;

  constructor(
    private readonly call: grpc.ClientDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse__Output>,
    private readonly host: StreamHost,
  ) {
    call.on('data', (resp: DeltaDiscoveryResponse__Output) => this.onResponse(resp));
  }

  start(): void {
    for (const kind of KIND_ORDER) {
      const sub = this.host.subscription(kind);
      if (sub.wildcard || sub.names.size > 0) this.first(kind);
    }
  }

  resubscribe(kind: ResourceKind): void {
    if (this.closed) return;
    const sub = this.host.subscription(kind);
    if (sub.wildcard) {
      if (!this.started.has(kind)) this.first(kind);
      return;
    }
    if (!this.started.has(kind)) {
      if (sub.names.size > 0) this.first(kind);
      return;
    }
    const have = this.subscribed.get(kind)!;
    const add = [...sub.names].filter((n) => !have.has(n)).sort();
    const remove = [...have].filter((n) => !sub.names.has(n)).sort();
    if (add.length === 0 && remove.length === 0) return;
    for (const n of add) have.add(n);
    for (const n of remove) have.delete(n);
    this.write({ typeUrl: RESOURCE_TYPES[kind].typeUrl, resourceNamesSubscribe: add, resourceNamesUnsubscribe: remove });
  }

  close(): void {
    this.closed = true;
    this.call.cancel();
  }

  private first(kind: ResourceKind): void {
    const sub = this.host.subscription(kind);
    this.started.add(kind);
    this.subscribed.set(kind, new Set(sub.wildcard ? [] : sub.names));
    const known = this.host.knownVersions(kind);
    this.write({
      typeUrl: RESOURCE_TYPES[kind].typeUrl,
      // Wildcard types use the legacy wildcard (no names on the first request).
      resourceNamesSubscribe: sub.wildcard ? [] : [...sub.names].sort(),
      initialResourceVersions: known,
    });
  }

  private write(req: DeltaDiscoveryRequest): void {
    if (this.closed) return;
    if (!this.nodeSent) {
      req.node = this.host.node;
      this.nodeSent = true;
    }
    this.call.write(req);
  }

  private onResponse(resp: DeltaDiscoveryResponse__Output): void {
    if (this.closed) return;
    const type = typeForUrl(resp.typeUrl);
    if (!type) {
      this.host.log.warn({ typeUrl: resp.typeUrl }, 'delta response for a type this proxy never asked for; ignored');
      return;
    }
    const kind = type.kind;
    this.host.onResponse(kind);
    // A resource without a body is a TTL heartbeat (the xDS protocol's Resource.ttl): the proxy keeps what it holds.
    const resources: ResourceUpdateItem[] = (resp.resources ?? []).filter((r) => r.resource).map((r) => unpackItem(kind, r.resource as AnyLike, r.name, r.version));
    const errors = this.host.apply(kind, { complete: false, systemVersion: resp.systemVersionInfo, resources, removed: resp.removedResources ?? [] });
    if (errors.length === 0) {
      this.write({ typeUrl: resp.typeUrl, responseNonce: resp.nonce });
      this.host.onAck(kind, { version: resp.systemVersionInfo, nonce: resp.nonce });
    } else {
      const message = nackMessage(errors);
      this.write({ typeUrl: resp.typeUrl, responseNonce: resp.nonce, errorDetail: { code: NACK_CODE, message } });
      this.host.onAck(kind, { version: resp.systemVersionInfo, nonce: resp.nonce, error: message });
    }
  }
}
