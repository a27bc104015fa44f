// Listeners at run time: binds what the configuration says to bind (through
// the proxy's address mapping), swaps a listener's configuration without
// closing its socket, and takes each connection through original-destination
// hand-off, inspection (bounded; never on server-first ports), filter chain
// selection and the chain's terminal filter (HTTP/1.1, HTTP/2 or TCP).
import net, { type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ListenerConfig } from '@sextant/xds-client';
import type { Logger } from '@sextant/util';
import { ChainDrainer } from './chain-drain';
import { DataplaneError } from './errors';
import { directionOf, ExplicitInboundResolver, ExplicitOutboundResolver, listenerForDestination, listenerForServiceName } from './explicit-proxy';
import { needsInspection, needsTlsInspection, selectFilterChain } from './filter-chain-match';
import { hcmRuntime } from './hcm-registry';
import { refusals } from './log-limiter';
import type { ActiveConfig, ConnInfo, HcmRuntime, ProxyServices } from './http-context';
import { Http1Connection, type HcmResolver } from './http1-fast-path';
import type { Http2Session } from 'node:http2';
import { Http2Downstream, http2DrainHooks } from './http2-downstream';
import { sniff, type Sniffed } from './protocol-sniffer';
import { startTcpProxy } from './tcp-proxy';
import type { TlsContexts } from './tls-contexts';
import { terminateTls } from './tls-downstream';

export type OriginalDstLookup = (socket: Socket) => { address: string; port: number } | undefined;

export interface ListenerManagerOptions {
  /** Where a listener binds; undefined: not bound (reached through original-destination hand-off only). */
  bindAddress(l: ListenerConfig): { host: string; port: number } | undefined;
  /** SO_ORIGINAL_DST (transparent capture); explicit capture returns undefined. */
  originalDst: OriginalDstLookup;
  sniffTimeoutMs: number;
  serverFirstPorts: ReadonlySet<number>;
  /** Declared protocols per port (from port names), used instead of sniffing. */
  declaredProtocols: ReadonlyMap<number, 'http' | 'http2' | 'tcp'>;
  /** The workload's address (explicit inbound: where the app listens). */
  workloadAddress: string;
  /** Secure contexts for chains that terminate TLS; absent: such chains close their connections. */
  tls?: TlsContexts;
  /** How long a TLS handshake may take. */
  handshakeTimeoutMs?: number;
  /** Drain period of connections whose filter chain a listener update changed or removed (Envoy's drain time); default 45 s. */
  filterChainDrainMs?: number;
  log: Logger;
}

interface Bound {
  key: string;
  server: Server;
  name: string;
}

class FixedResolver implements HcmResolver {
  constructor(private readonly hcm: HcmRuntime) {}
  resolve(): HcmRuntime {
    return this.hcm;
  }
}

export class ListenerManager {
  private readonly bound = new Map<string, Bound>();
  private configs = new Map<string, ListenerConfig>();
  readonly http1 = new Set<Http1Connection>();
  /** Every accepted downstream socket still open. */
  readonly sockets = new Set<Socket>();
  readonly http2: Http2Downstream;
  private accepting = true;
  private readonly fixed = new WeakMap<HcmRuntime, FixedResolver>();
  /** Connections per (listener, filter chain); listener updates drain the ones whose chain changed. */
  readonly chains: ChainDrainer;

  constructor(
    private readonly services: ProxyServices,
    private readonly opts: ListenerManagerOptions,
  ) {
    this.http2 = new Http2Downstream(services);
    this.chains = new ChainDrainer({
      drainTimeMs: opts.filterChainDrainMs ?? 45_000,
      onDrain: (listener, n) => opts.log.info({ listener, connections: n }, 'filter chain changed or removed; draining its connections'),
    });
  }

  /** Applies the listeners of a new configuration; resolves once new ones are bound. */
  async apply(active: ActiveConfig): Promise<void> {
    const next = new Map(active.snapshot.listeners);
    this.configs = next;
    this.chains.apply(next);
    const wanted = new Map<string, { name: string; host: string; port: number }>();
    for (const l of next.values()) {
      const at = this.opts.bindAddress(l);
      if (at) wanted.set(l.name, { name: l.name, ...at });
    }
    for (const [name, b] of this.bound) {
      const w = wanted.get(name);
      if (!w || `${w.host}:${w.port}` !== b.key) this.unbind(name, b);
    }
    const errors: string[] = [];
    for (const w of wanted.values()) {
      if (this.bound.has(w.name) || !this.accepting) continue;
      try {
        await this.bind(w.name, w.host, w.port);
        this.bindErrors.delete(w.name);
      } catch (err) {
        const msg = `${w.name} on ${w.host}:${w.port}: ${(err as Error).message}`;
        if (this.bindErrors.get(w.name) !== msg) this.opts.log.error({ listener: w.name, address: `${w.host}:${w.port}`, err }, 'listener could not bind; the others serve on');
        this.bindErrors.set(w.name, msg);
        errors.push(msg);
      }
    }
    // Like Envoy, one listener that cannot bind does not take the others down; the caller hears about it.
    if (errors.length > 0) throw new DataplaneError('DATAPLANE_BIND_FAILED', `listeners could not bind: ${errors.join('; ')}`);
  }

  /** Listeners that could not bind, with the reason (admin, tests). */
  readonly bindErrors = new Map<string, string>();

  private bind(name: string, host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const b: Bound = { key: `${host}:${port}`, server: net.createServer({ noDelay: true, allowHalfOpen: true }), name };
      b.server.on('connection', (socket) => {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        this.onConnection(b.name, socket);
      });
      b.server.once('error', reject);
      b.server.listen({ host, port, backlog: 1024 }, () => {
        b.server.off('error', reject);
        b.server.on('error', (err) => this.opts.log.error({ err, listener: name }, 'listener error'));
        this.bound.set(name, b);
        this.opts.log.info({ listener: name, address: `${host}:${port}` }, 'listener bound');
        resolve();
      });
    });
  }

  private unbind(name: string, b: Bound): void {
    this.bound.delete(name);
    b.server.close();
    this.opts.log.info({ listener: name, address: b.key }, 'listener removed; its connections drain');
  }

  /** Where bound listeners are (after port 0 bindings the real port). */
  addresses(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, b] of this.bound) {
      const a = b.server.address();
      out[name] = a && typeof a === 'object' ? `${a.address}:${a.port}` : b.key;
    }
    return out;
  }

  private onConnection(name: string, socket: Socket): void {
    const l = this.configs.get(name);
    if (!l || !this.accepting) {
      socket.destroy();
      return;
    }
    const conn: ConnInfo = {
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      localAddress: socket.localAddress ?? '',
      localPort: socket.localPort ?? 0,
      listenerName: name,
      originalDst: undefined,
      serverName: '',
      peerPrincipal: undefined,
      xfcc: undefined,
      secure: false,
    };
    void this.handle(l, socket, conn, undefined).catch((err: Error) => {
      this.opts.log.warn({ err, listener: name }, 'connection handling failed');
      socket.destroy();
    });
  }

  /** A CONNECT tunnel from the explicit proxy: the bytes after it are a new connection to the target. */
  tunnel(socket: Socket, target: { address: string; port: number }, head: Buffer, conn: ConnInfo): void {
    const active = this.services.active();
    let l = listenerForDestination(active, net.isIP(target.address) ? target.address : '0.0.0.0', target.port);
    if (!l) {
      // A mesh service by name (tcp-echo:9000): its listener on the service address, which becomes the destination.
      const byName = listenerForServiceName(active, target.address, target.port, this.services.self.namespace);
      if (byName) {
        l = byName;
        target = { address: byName.address.host, port: target.port };
      }
    }
    l ??= this.virtualOutbound();
    if (!l) {
      socket.destroy();
      return;
    }
    const tconn: ConnInfo = { ...conn, originalDst: target, listenerName: l.name };
    // The tunnel is a new connection: a FIN from the client is relayed, not answered with ours.
    socket.allowHalfOpen = true;
    if (head.length > 0) socket.unshift(head);
    void this.handle(l, socket, tconn, target).catch(() => socket.destroy());
  }

  private virtualOutbound(): ListenerConfig | undefined {
    for (const l of this.configs.values()) if (l.useOriginalDst && directionOf(l) === 'outbound') return l;
    return undefined;
  }

  private async handle(listener: ListenerConfig, socket: Socket, conn: ConnInfo, known: { address: string; port: number } | undefined): Promise<void> {
    let l = listener;
    // use_original_dst, or Envoy's original_dst listener filter (Istio's virtualInbound): match on where the connection was going.
    if (l.useOriginalDst || l.listenerFilters.some((f) => f.endsWith('.original_dst'))) {
      const od = known ?? this.opts.originalDst(socket);
      if (od) {
        conn.originalDst = od;
        // Hand-off only to a listener of the same direction: inbound traffic handed to an outbound listener would go round again.
        const target = l.useOriginalDst ? listenerForDestination(this.services.active(), od.address, od.port, l.name) : undefined;
        if (target && directionOf(target) === directionOf(l)) {
          l = target;
          conn.listenerName = target.name;
        }
      } else return this.handleExplicit(l, socket, conn);
    }
    const destPort = conn.originalDst?.port ?? l.address.port;
    const destIp = conn.originalDst?.address ?? conn.localAddress;
    let sniffed: Sniffed | undefined;
    const declared = this.opts.declaredProtocols.get(destPort);
    if (needsInspection(l)) {
      // Server-first and declared-TCP ports are only peeked at when a chain depends on a ClientHello (mTLS, SNI).
      const opaque = declared === 'tcp' || this.opts.serverFirstPorts.has(destPort);
      if (!opaque || needsTlsInspection(l)) sniffed = await sniff(socket, l.listenerFiltersTimeoutMs > 0 ? Math.min(l.listenerFiltersTimeoutMs, this.opts.sniffTimeoutMs) : this.opts.sniffTimeoutMs);
      else if (declared === 'tcp') sniffed = { transport: 'raw_buffer', appProtocols: [], serverName: '', initial: Buffer.alloc(0), timedOut: false };
    }
    if (socket.destroyed) return;
    const chain = selectFilterChain(l, {
      destPort,
      destIp,
      serverName: sniffed?.serverName ?? '',
      transport: sniffed?.transport ?? 'raw_buffer',
      appProtocols: sniffed?.appProtocols ?? [],
      srcIp: conn.remoteAddress,
      srcPort: conn.remotePort,
    });
    conn.serverName = sniffed?.serverName ?? '';
    if (!chain) {
      if (sniffed?.transport === 'raw_buffer' && l.filterChains.some((c) => c.tls !== undefined)) {
        // Plaintext to a port whose chains all want TLS (STRICT mTLS): a refusal worth seeing, rate-limited.
        refusals.info(this.opts.log, 'plaintext_to_tls_only', { listener: l.name, destPort, remote: `${conn.remoteAddress}:${conn.remotePort}` }, 'plaintext connection refused: the port accepts TLS only');
      } else this.opts.log.debug({ listener: l.name, destPort, transport: sniffed?.transport }, 'no matching filter chain; closing connection');
      socket.destroy();
      return;
    }
    const tracked = this.chains.track(socket, l, chain);
    let s: Socket = socket;
    if (chain.tls) {
      const tlsHello = sniffed?.transport === 'tls';
      const hello = { serverName: conn.serverName, appProtocols: tlsHello ? sniffed!.appProtocols : [], initial: sniffed?.initial ?? Buffer.alloc(0) };
      const secure = await terminateTls(socket, chain.tls, hello, this.opts.tls, conn, this.opts.handshakeTimeoutMs ?? 10_000, this.opts.log);
      if (!secure) return;
      s = secure;
      // What the decrypted stream speaks, from the negotiated ALPN (else sniffed below).
      const alpn = secure.alpnProtocol;
      sniffed = alpn === 'h2' || alpn === 'http/1.1' ? { transport: 'tls', appProtocols: [alpn === 'h2' ? 'h2c' : alpn], serverName: conn.serverName, initial: Buffer.alloc(0), timedOut: false } : undefined;
    }
    const f = chain.filter;
    if (f.kind === 'tcp') {
      startTcpProxy(s, conn, f, this.services, directionOf(l), f.accessLog || l.accessLog, sniffed?.initial);
      return;
    }
    const hcm = hcmRuntime(f, directionOf(l), l.name);
    let resolver = this.fixed.get(hcm);
    if (!resolver) this.fixed.set(hcm, (resolver = new FixedResolver(hcm)));
    hcm.stats.downstream_cx_total++;
    hcm.stats.downstream_cx_active++;
    socket.once('close', () => hcm.stats.downstream_cx_active--);
    const served = await this.startHttp(s, conn, resolver, f.codec, sniffed, hcm.config.idleTimeoutMs);
    if (served instanceof Http1Connection) {
      const c = served;
      // An idle connection closes at once: a request on it would still run the old chain (its RBAC, its TLS
      // mode), and a mesh client resends a request caught by that close on a new connection (keep-alive race).
      const begin = () => {
        c.drainOnNextResponse();
        c.drain();
      };
      this.chains.attach(tracked, { begin, closeIfIdle: () => c.drain(), idleCloseMs: hcm.config.drainTimeoutMs });
    } else if (served) {
      // GOAWAY with the real last stream id; accepted streams finish, then the session closes (see http2DrainHooks).
      this.chains.attach(tracked, http2DrainHooks(served));
    }
  }

  private async startHttp(socket: Socket, conn: ConnInfo, resolver: HcmResolver, codec: 'AUTO' | 'HTTP1' | 'HTTP2', sniffed: Sniffed | undefined, idleMs: number): Promise<Http1Connection | Http2Session | undefined> {
    let s = sniffed;
    if (codec === 'AUTO' && s === undefined) s = await sniff(socket, this.opts.sniffTimeoutMs);
    if (socket.destroyed) return undefined;
    // Listeners accept half-open connections for TCP proxying; HTTP ends its side when the client does (as before).
    socket.allowHalfOpen = false;
    const h2 = codec === 'HTTP2' || (codec === 'AUTO' && s?.appProtocols.includes('h2c'));
    if (h2) {
      // HTTP/2 with prior knowledge over TLS without ALPN: node's HTTP/2 server would refuse a TLS socket that did not negotiate h2.
      if (conn.secure === true && (socket as TLSSocket).alpnProtocol !== 'h2') (socket as unknown as { alpnProtocol: string }).alpnProtocol = 'h2';
      return this.http2.handle(socket, conn, resolver, s?.initial);
    }
    const c = new Http1Connection(socket, conn, resolver, this.services, this.http1, idleMs, s?.initial);
    // A CONNECT or upgrade in the first bytes has handed the socket on (paused, its bytes buffered): resuming would drop them.
    if (c.readingHttp) socket.resume();
    return c;
  }

  /** A capture listener without an original destination: explicit proxying. */
  private async handleExplicit(l: ListenerConfig, socket: Socket, conn: ConnInfo): Promise<void> {
    const s = await sniff(socket, this.opts.sniffTimeoutMs);
    if (socket.destroyed) return;
    const http = s.appProtocols.some((p) => p === 'h2c' || p.startsWith('http/'));
    const name = l.name;
    if (!http) {
      // Opaque bytes with no destination: the listener's own catch-all chain (passthrough needs a destination).
      const chain = selectFilterChain(l, { destPort: undefined, destIp: '', serverName: s.serverName, transport: s.transport, appProtocols: s.appProtocols, srcIp: conn.remoteAddress, srcPort: conn.remotePort });
      if (chain?.filter.kind === 'tcp' && !chain.tls) startTcpProxy(socket, conn, chain.filter, this.services, directionOf(l), chain.filter.accessLog, s.initial);
      else socket.destroy();
      return;
    }
    const resolver: HcmResolver =
      directionOf(l) === 'inbound'
        ? new ExplicitInboundResolver(() => this.configs.get(name), this.opts.workloadAddress, [...this.opts.declaredProtocols].filter(([, p]) => p !== 'tcp').map(([port]) => port))
        : new ExplicitOutboundResolver({ active: () => this.services.active(), tunnel: (so, t, h, c) => this.tunnel(so, t, h, c) }, () => this.configs.get(name));
    await this.startHttp(socket, conn, resolver, 'AUTO', s, 3_600_000);
  }

  /** Stops accepting; open connections finish their current request. */
  stopAccepting(): void {
    this.accepting = false;
    for (const [name, b] of this.bound) this.unbind(name, b);
  }

  drainConnections(): void {
    for (const c of this.http1) c.drain();
    this.http2.drain();
  }

  /** Open downstream connections. */
  openConnections(): number {
    return this.sockets.size;
  }

  closeAll(): void {
    this.stopAccepting();
    for (const s of this.sockets) s.destroy();
    for (const s of this.http2.sessions) s.destroy();
  }

  get listenerNames(): string[] {
    return [...this.bound.keys()];
  }
}
