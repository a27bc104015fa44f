// Filter-chain drains on listener updates, as Envoy does them: every
// downstream connection is tracked under the listener it was handed to and
// the identity of the filter chain it was accepted on (a fingerprint of the
// chain's contents plus the listener's own settings). When a configuration
// is applied, connections whose chain is no longer part of their listener
// (removed, or changed in any way: RBAC, jwt_authn, TLS mode, match) drain:
// HTTP/1 answers its next response with `connection: close`, HTTP/2 sends
// GOAWAY, idle HTTP/1 connections close at once (a request on them would
// still be judged by the old chain), and whatever is still open when the drain period ends (TCP
// proxies, long streams, tunnels) is closed. Connections on chains that are
// unchanged stay untouched (route and cluster updates never drain).
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FilterChainConfig, ListenerConfig } from '@sextant/xds-client';

/** How a tracked connection drains, once its protocol is known. */
export interface DrainHooks {
  /** Start a graceful drain (connection: close on the next response, GOAWAY). */
  begin(): void;
  /** The idle-close step after the HTTP drain timeout (closes when no request is in flight). */
  closeIfIdle?(): void;
  /** Milliseconds between begin() and closeIfIdle(). */
  idleCloseMs?: number;
}

export interface TrackedConnection {
  readonly socket: Socket;
  readonly listener: string;
  readonly key: string;
  hooks: DrainHooks | undefined;
  draining: boolean;
}

const chainKeys = new WeakMap<FilterChainConfig, string>();
const listenerKeys = new WeakMap<ListenerConfig, string>();
const listenerChainSets = new WeakMap<ListenerConfig, Set<string>>();

/** JSON that also sees inside Maps, Sets and regular expressions (configs are built in a fixed key order). */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x instanceof Map) return { $map: [...x.entries()] };
    if (x instanceof Set) return { $set: [...x.values()] };
    if (x instanceof RegExp) return { $re: x.toString() };
    if (typeof x === 'bigint') return x.toString();
    return x;
  });
}

const digest = (s: string) => createHash('sha1').update(s).digest('base64');

/** The listener's own settings (everything but its chains and name): a change there drains every chain. */
function listenerKey(l: ListenerConfig): string {
  let k = listenerKeys.get(l);
  if (k === undefined) {
    const { filterChains: _c, defaultFilterChain: _d, name: _n, ...own } = l;
    k = digest(canonical(own));
    listenerKeys.set(l, k);
  }
  return k;
}

/** The identity of a chain on its listener: equal contents, equal key (the chain's name does not count). */
export function filterChainKey(l: ListenerConfig, chain: FilterChainConfig): string {
  let k = chainKeys.get(chain);
  if (k === undefined) {
    const { name: _n, ...body } = chain;
    k = digest(canonical(body));
    chainKeys.set(chain, k);
  }
  return `${listenerKey(l)}/${k}`;
}

function chainSet(l: ListenerConfig): Set<string> {
  let set = listenerChainSets.get(l);
  if (!set) {
    set = new Set(l.filterChains.map((c) => filterChainKey(l, c)));
    if (l.defaultFilterChain) set.add(filterChainKey(l, l.defaultFilterChain));
    listenerChainSets.set(l, set);
  }
  return set;
}

export interface ChainDrainOptions {
  /** How long a draining connection may stay open at most (Envoy's drain time); then it is closed. */
  drainTimeMs: number;
  onDrain?(listener: string, connections: number): void;
}

export class ChainDrainer {
  private readonly byListener = new Map<string, Set<TrackedConnection>>();
  private listeners: ReadonlyMap<string, ListenerConfig> = new Map();
  /** Connections drained because their filter chain changed (stats). */
  drained = 0;

  constructor(private readonly opts: ChainDrainOptions) {}

  /** Tracks a connection on the chain it was accepted with; drains it at once if that chain is already gone. */
  track(socket: Socket, l: ListenerConfig, chain: FilterChainConfig): TrackedConnection {
    const t: TrackedConnection = { socket, listener: l.name, key: filterChainKey(l, chain), hooks: undefined, draining: false };
    let set = this.byListener.get(l.name);
    if (!set) this.byListener.set(l.name, (set = new Set()));
    set.add(t);
    socket.once('close', () => {
      const s = this.byListener.get(t.listener);
      if (!s) return;
      s.delete(t);
      if (s.size === 0) this.byListener.delete(t.listener);
    });
    const now = this.listeners.get(l.name);
    // Chain selected from a configuration replaced while the connection was being inspected.
    if (now !== undefined && now !== l && !chainSet(now).has(t.key)) this.drain(t);
    return t;
  }

  /** The connection's protocol is known: how to drain it (at once if a drain already began). */
  attach(t: TrackedConnection, hooks: DrainHooks): void {
    t.hooks = hooks;
    if (t.draining) this.startHooks(t);
  }

  /** A new configuration: connections whose chain left their listener drain. */
  apply(listeners: ReadonlyMap<string, ListenerConfig>): void {
    this.listeners = listeners;
    for (const [name, set] of this.byListener) {
      const l = listeners.get(name);
      const keep = l ? chainSet(l) : undefined;
      let n = 0;
      for (const t of set) {
        if (t.draining || keep?.has(t.key)) continue;
        this.drain(t);
        n++;
      }
      if (n > 0) this.opts.onDrain?.(name, n);
    }
  }

  /** Open tracked connections (tests, admin). */
  count(listener?: string): number {
    if (listener !== undefined) return this.byListener.get(listener)?.size ?? 0;
    let n = 0;
    for (const s of this.byListener.values()) n += s.size;
    return n;
  }

  private drain(t: TrackedConnection): void {
    t.draining = true;
    this.drained++;
    const hard = setTimeout(() => t.socket.destroy(), this.opts.drainTimeMs);
    hard.unref();
    t.socket.once('close', () => clearTimeout(hard));
    if (t.hooks) this.startHooks(t);
  }

  private startHooks(t: TrackedConnection): void {
    const h = t.hooks!;
    h.begin();
    if (h.closeIfIdle && !t.socket.destroyed) {
      const timer = setTimeout(() => h.closeIfIdle!(), Math.min(h.idleCloseMs ?? 0, this.opts.drainTimeMs));
      timer.unref();
      t.socket.once('close', () => clearTimeout(timer));
    }
  }
}
