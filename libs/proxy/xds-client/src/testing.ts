// Test double for Pilot: an in-process ADS server (SotW and delta) serving
// Envoy-shaped resource objects, recording every request so tests can assert
// ACKs and NACKs. Not part of the library's public surface.
import * as grpc from '@grpc/grpc-js';
import { adsServiceDefinition, packAny, type DeltaDiscoveryRequest__Output, type DiscoveryRequest__Output } from '@sextant/proto';
import { vhostNamespace } from './config-snapshot';
import { RESOURCE_TYPES, typeForUrl, type ResourceKind } from './resource-types';

export interface FakeAdsOptions {
  /** Answer delta streams with UNIMPLEMENTED (to test the SotW fallback). */
  deltaUnimplemented?: boolean;
}

interface Entry {
  version: string;
  any: { type_url: string; value: Buffer };
}

type Recorded = { protocol: 'sotw'; req: DiscoveryRequest__Output } | { protocol: 'delta'; req: DeltaDiscoveryRequest__Output };

interface SotwConn {
  kind: 'sotw';
  call: grpc.ServerDuplexStream<DiscoveryRequest__Output, object>;
  names: Map<ResourceKind, Set<string> | 'wildcard'>;
  nonce: number;
}

interface DeltaConn {
  kind: 'delta';
  call: grpc.ServerDuplexStream<DeltaDiscoveryRequest__Output, object>;
  subs: Map<ResourceKind, Set<string> | 'wildcard'>;
  sent: Map<ResourceKind, Map<string, string>>;
  nonce: number;
}

export class FakeAdsServer {
  readonly requests: Recorded[] = [];
  private server: grpc.Server | undefined;
  private readonly resources = new Map<ResourceKind, Map<string, Entry>>();
  private readonly conns = new Set<SotwConn | DeltaConn>();
  private version = 0;
  port = 0;

  constructor(private readonly opts: FakeAdsOptions = {}) {
    for (const k of Object.keys(RESOURCE_TYPES) as ResourceKind[]) this.resources.set(k, new Map());
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Serial numbers of the client certificates streams arrived with (TLS), in order. */
  readonly clientSerials: string[] = [];

  async start(port = 0, credentials = grpc.ServerCredentials.createInsecure()): Promise<void> {
    const server = new grpc.Server();
    const def = adsServiceDefinition();
    const peer = (call: { getAuthContext(): { sslPeerCertificate?: { serialNumber: string } } }) => {
      const serial = call.getAuthContext().sslPeerCertificate?.serialNumber;
      if (serial) this.clientSerials.push(serial);
    };
    server.addService(def.service, {
      StreamAggregatedResources: (call: grpc.ServerDuplexStream<DiscoveryRequest__Output, object>) => {
        peer(call);
        this.sotw(call);
      },
      DeltaAggregatedResources: (call: grpc.ServerDuplexStream<DeltaDiscoveryRequest__Output, object>) => {
        peer(call);
        this.delta(call);
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, credentials, (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.call.end();
    this.conns.clear();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.tryShutdown(() => resolve());
      setTimeout(() => {
        this.server?.forceShutdown();
        resolve();
      }, 500).unref();
    });
    this.server = undefined;
  }

  /** Drops every open stream (the client must reconnect). */
  disconnectAll(): void {
    for (const c of this.conns) c.call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'fake ADS server dropped the stream' });
    this.conns.clear();
  }

  /** Sets (or replaces) resources of a type; Envoy-shaped plain objects, nested Anys as {'@type'}. */
  set(kind: ResourceKind, objects: Record<string, object>, opts: { push?: boolean; strict?: boolean } = {}): void {
    const version = String(++this.version);
    const table = this.resources.get(kind)!;
    for (const [name, obj] of Object.entries(objects)) {
      const any = packAny(RESOURCE_TYPES[kind].typeUrl, obj, { strict: opts.strict ?? true });
      table.set(name, { version, any });
    }
    if (opts.push ?? true) this.push(kind);
  }

  remove(kind: ResourceKind, names: string[], opts: { push?: boolean } = {}): void {
    const table = this.resources.get(kind)!;
    for (const n of names) table.delete(n);
    if (opts.push ?? true) this.push(kind);
  }

  /** Sends resources without a body (TTL heartbeats: name, version and ttl only) to every Delta stream subscribed to the type. */
  heartbeat(kind: ResourceKind, names: string[]): void {
    for (const c of this.conns) {
      if (c.kind !== 'delta' || !c.subs.has(kind)) continue;
      const resources = names.map((name) => ({ name, version: c.sent.get(kind)?.get(name) ?? '', ttl: { seconds: '30', nanos: 0 } }));
      c.call.write({ systemVersionInfo: String(this.version), typeUrl: RESOURCE_TYPES[kind].typeUrl, nonce: String(++c.nonce), resources, removedResources: [] });
    }
  }

  /** Sends the current state of a type to every stream. */
  push(kind: ResourceKind): void {
    for (const c of this.conns) {
      if (c.kind === 'sotw') {
        if (c.names.has(kind)) this.sendSotw(c, kind);
      } else if (c.subs.has(kind)) this.sendDelta(c, kind);
    }
  }

  /** Requests of a type (SotW and delta), newest last. */
  requestsFor(kind: ResourceKind): Recorded[] {
    const url = RESOURCE_TYPES[kind].typeUrl;
    return this.requests.filter((r) => r.req.typeUrl === url);
  }

  /** The last ACK or NACK (a request carrying a response nonce) of a type. */
  lastResponseTo(kind: ResourceKind): Recorded | undefined {
    return this.requestsFor(kind)
      .filter((r) => r.req.responseNonce)
      .at(-1);
  }

  private sotw(call: grpc.ServerDuplexStream<DiscoveryRequest__Output, object>): void {
    const conn: SotwConn = { kind: 'sotw', call, names: new Map(), nonce: 0 };
    this.conns.add(conn);
    call.on('data', (req: DiscoveryRequest__Output) => {
      this.requests.push({ protocol: 'sotw', req });
      const type = typeForUrl(req.typeUrl);
      if (!type) return;
      const wanted = type.wildcard && req.resourceNames.length === 0 ? 'wildcard' : new Set(req.resourceNames);
      const prev = conn.names.get(type.kind);
      conn.names.set(type.kind, wanted);
      const changed = !prev || prev === 'wildcard' !== (wanted === 'wildcard') || (prev !== 'wildcard' && wanted !== 'wildcard' && (prev.size !== wanted.size || [...wanted].some((n) => !prev.has(n))));
      if (changed) this.sendSotw(conn, type.kind);
    });
    call.on('error', () => this.conns.delete(conn));
    call.on('end', () => {
      this.conns.delete(conn);
      call.end();
    });
  }

  private sendSotw(conn: SotwConn, kind: ResourceKind): void {
    const wanted = conn.names.get(kind)!;
    const table = this.resources.get(kind)!;
    const entries = [...table].filter(([n]) => wanted === 'wildcard' || wanted.has(n));
    conn.call.write({
      versionInfo: String(this.version),
      typeUrl: RESOURCE_TYPES[kind].typeUrl,
      nonce: String(++conn.nonce),
      resources: entries.map(([, e]) => e.any),
    });
  }

  private delta(call: grpc.ServerDuplexStream<DeltaDiscoveryRequest__Output, object>): void {
    if (this.opts.deltaUnimplemented) {
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'delta ADS not implemented' });
      return;
    }
    const conn: DeltaConn = { kind: 'delta', call, subs: new Map(), sent: new Map(), nonce: 0 };
    this.conns.add(conn);
    call.on('data', (req: DeltaDiscoveryRequest__Output) => {
      this.requests.push({ protocol: 'delta', req });
      const type = typeForUrl(req.typeUrl);
      if (!type || req.responseNonce) return;
      let subs = conn.subs.get(type.kind);
      if (!subs) {
        subs = type.wildcard && req.resourceNamesSubscribe.length === 0 ? 'wildcard' : new Set();
        conn.subs.set(type.kind, subs);
        conn.sent.set(type.kind, new Map(Object.entries(req.initialResourceVersions ?? {})));
      }
      if (subs !== 'wildcard') {
        for (const n of req.resourceNamesSubscribe) subs.add(n);
        for (const n of req.resourceNamesUnsubscribe) {
          subs.delete(n);
          conn.sent.get(type.kind)!.delete(n);
        }
      }
      this.sendDelta(conn, type.kind);
    });
    call.on('error', () => this.conns.delete(conn));
    call.on('end', () => {
      this.conns.delete(conn);
      call.end();
    });
  }

  private sendDelta(conn: DeltaConn, kind: ResourceKind): void {
    const subs = conn.subs.get(kind)!;
    const sent = conn.sent.get(kind)!;
    const table = this.resources.get(kind)!;
    const resources: object[] = [];
    for (const [name, e] of table) {
      // VHDS: a subscribed route configuration name covers its hosts `<name>/...`.
      if (subs !== 'wildcard' && !subs.has(name) && !(kind === 'vhost' && subs.has(vhostNamespace(name) ?? ''))) continue;
      if (sent.get(name) === e.version) continue;
      sent.set(name, e.version);
      resources.push({ name, version: e.version, resource: e.any });
    }
    const removed: string[] = [];
    for (const name of [...sent.keys()]) {
      if (!table.has(name)) {
        sent.delete(name);
        removed.push(name);
      }
    }
    if (resources.length === 0 && removed.length === 0) return;
    conn.call.write({ systemVersionInfo: String(this.version), typeUrl: RESOURCE_TYPES[kind].typeUrl, nonce: String(++conn.nonce), resources, removedResources: removed });
  }
}
