// A VirtualService's routes, built once for every proxy that sees the same
// inputs, and kept from push to push while those inputs hold.
//
// Unlike a default route, what a VirtualService's routes read from the
// proxy's context is open-ended: the services and DestinationRules its
// destinations name (as this proxy sees them), which clusters the proxy has,
// its labels and namespace when a match asks for them, the mesh config. So
// instead of a key naming every input up front, the build runs on a context
// that records each read and its answer; a later proxy (another cache key,
// or the next push) reuses the routes when every recorded read gives the
// same answer on its own context. A build that warns, or reads anything the
// recorder does not know how to compare (e.g. delegate VirtualServices), is
// not kept: it runs again every time, as without a cache.
import type { IndexedVirtualService, MergedDestinationRule, Service } from '@sextant/pilot-model';
import type { TranslateContext } from './context';
import type { RouteObject } from './envoy-types';
import type { VirtualHostCache } from './host-cache';

/** One recorded read: how to read it again from another context, and what it gave. */
interface Read {
  readonly again: (ctx: TranslateContext) => string;
  readonly answer: string;
}

interface Variant {
  readonly reads: readonly Read[];
  readonly routes: RouteObject[];
}

/** Variants kept per (VirtualService, port, gateways): proxies that see its destinations differently. */
const MAX_VARIANTS = 16;

/** Content fingerprints of the objects reads return (immutable within a push; compared across pushes by content). */
const fingerprints = new WeakMap<object, string>();
function fingerprint(value: object | undefined): string {
  if (value === undefined) return '-';
  let f = fingerprints.get(value);
  if (f === undefined) fingerprints.set(value, (f = JSON.stringify(value)));
  return f;
}

/** A view of `ctx` that records what is read through it; anything it cannot compare later makes the build untrackable. */
function recordingContext(ctx: TranslateContext, reads: Read[]): { view: TranslateContext; state: { trackable: boolean } } {
  const state = { trackable: true };
  const proxyView = new Proxy(ctx.proxy, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || (value !== undefined && typeof value === 'object')) {
        state.trackable = false;
        return value;
      }
      reads.push({ again: (c) => String((c.proxy as unknown as Record<string, unknown>)[prop]), answer: String(value) });
      return value;
    },
  });
  const pushView = new Proxy(ctx.push, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'mesh') reads.push({ again: (c) => fingerprint(c.push.mesh), answer: fingerprint(ctx.push.mesh) });
      else state.trackable = false;
      return value;
    },
  });
  // Label by label: a match with sourceLabels depends on those keys only.
  const labelsView = new Proxy(ctx.labels, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof key !== 'string' || (value !== undefined && typeof value !== 'string')) state.trackable = false;
      else reads.push({ again: (c) => String(c.labels[key]), answer: String(value) });
      return value;
    },
    has(target, key) {
      const answer = Reflect.has(target, key);
      if (typeof key !== 'string') state.trackable = false;
      else reads.push({ again: (c) => String(key in c.labels), answer: String(answer) });
      return answer;
    },
    ownKeys(target) {
      state.trackable = false;
      return Reflect.ownKeys(target);
    },
  });
  const outboundClusters: Pick<ReadonlySet<string>, 'has'> = {
    has(name: string) {
      const answer = ctx.outboundClusters.has(name);
      reads.push({ again: (c) => String(c.outboundClusters.has(name)), answer: String(answer) });
      return answer;
    },
  };
  const view = new Proxy(ctx, {
    get(target, prop) {
      switch (prop) {
        case 'proxy':
          return proxyView;
        case 'push':
          return pushView;
        case 'labels':
          return labelsView;
        case 'outboundClusters':
          return outboundClusters;
        case 'service':
          return (host: string): Service | undefined => {
            const s = ctx.service(host);
            reads.push({ again: (c) => fingerprint(c.service(host)), answer: fingerprint(s) });
            return s;
          };
        case 'destinationRule':
          return (s: Service): MergedDestinationRule | undefined => {
            const dr = ctx.destinationRule(s);
            reads.push({ again: (c) => fingerprint(c.destinationRule(s)), answer: fingerprint(dr) });
            return dr;
          };
        case 'warn':
          return (message: string) => {
            state.trackable = false;
            ctx.warn(message);
          };
        default:
          state.trackable = false;
          return Reflect.get(target, prop) as unknown;
      }
    },
  }) as TranslateContext;
  return { view, state };
}

const matches = (ctx: TranslateContext, reads: readonly Read[]) => {
  for (const r of reads) if (r.again(ctx) !== r.answer) return false;
  return true;
};

/**
 * `build(ctx)` (a VirtualService's routes for one port and set of gateways),
 * or the routes an earlier build made for a context that read the same.
 * Without a cache, just `build(ctx)`.
 */
export function trackedRoutes(
  ctx: TranslateContext,
  vs: IndexedVirtualService,
  scope: string,
  build: (ctx: TranslateContext) => RouteObject[],
  cache: VirtualHostCache | undefined = ctx.options.cache,
): RouteObject[] {
  if (!cache) return build(ctx);
  const variants = cache.get(`vs-routes\0${fingerprint(vs)}\0${scope}`, (): Variant[] => []);
  for (const v of variants) if (matches(ctx, v.reads)) return v.routes;
  const reads: Read[] = [];
  const { view, state } = recordingContext(ctx, reads);
  const routes = build(view);
  if (!state.trackable) return routes;
  if (variants.length >= MAX_VARIANTS) variants.shift();
  variants.push({ reads, routes });
  return routes;
}
