// DeltaAggregatedResources: incremental ADS.
//
// Per type URL the server tracks what the client has (name -> version, from
// what was sent and from initial_resource_versions on reconnect) and sends
// only differences: changed resources, and removed names in
// removed_resources. Subscription changes are honoured even when the request
// carries a stale nonce; the nonce only correlates ACK/NACK with a response.
//   - Wildcard: "*" subscribed, or (legacy) a first request naming nothing.
//   - A name subscribed explicitly is always sent, even if the client seems
//     to have it (it may have forgotten); except names listed in
//     initial_resource_versions at the current version.
//   - A subscribed name that does not exist is answered once in
//     removed_resources ("does not exist"), and sent when it appears.
//   - Unsubscribing a name while also subscribed to "*" is answered with the
//     resource (if the wildcard covers it) or its removal.
//   - After a NACK nothing is re-sent: the client's versions are taken as
//     the ones sent, so only a newer version goes out.
//   - VHDS (VirtualHost type): a subscribed name is also a namespace: it
//     covers every resource named "<name>/...". A new namespace subscription
//     is always answered, if need be with nothing, and never reported as a
//     name that does not exist.
// Diffs are cheap when a client was in sync: the difference between the
// source it was in sync with and the new one is computed once per pair of
// source objects (shared by every stream of a cache key) and filtered by
// what this client has, instead of walking 1000 names on 2000 streams.
import type { DeltaDiscoveryRequest__Output } from '@sextant/proto';
import { TYPE_URL } from '@sextant/proto';
import { AdsConnection } from './connection';
import { resourceRefs } from './consistency';
import type { PushRequest } from './push-request';
import { EMPTY_RESOURCES, type TypeResources, type VersionedResource, typeVersion } from './snapshot';
import { type NackRecord, type TypeStatus, iso } from './status';
import { type Entries, deltaBody, sharedNames, sourceDiff, wantedEntries } from './delta-shared';
import { KnownVersions } from './known-versions';
import { EncodedResponse, encodeDeltaTail } from './response-encoder';
import { vhdsNamespace } from './vhds';

interface Outstanding {
  version: string;
  /** What the response carried (names are read from it only for a NACK record). */
  updates: readonly [string, VersionedResource][];
  removed: readonly string[];
  at: number;
  pushStart?: number;
}

interface TypeState {
  wildcard: boolean;
  /** VHDS: subscribed names are namespaces too ("<name>/..."). */
  namespaced: boolean;
  /** Names subscribed explicitly; never changed in place (streams with the same subscription share one set). */
  explicit: ReadonlySet<string>;
  subsSerial: number;
  /** What the client has: name -> version. */
  known: KnownVersions;
  absentNotified: Set<string>;
  force: Set<string>;
  forceRemoved: Set<string>;
  outstanding: Map<string, Outstanding>;
  lastSent?: { version: string; nonce: string; at: number; acked: boolean; nacked: boolean };
  /** The source the last diff was against (the client holds it, plus `owed`, once that diff's updates are sent). */
  diffedSource?: TypeResources;
  diffedSerial: number;
  /** Removals that diff found and that may not have been sent yet. */
  owed: ReadonlySet<string>;
  versionAcked?: string;
  nonceAcked?: string;
  ackedAt?: number;
  lastNack?: NackRecord;
}

interface Diff {
  /** Never changed in place (may be shared between streams). */
  updates: readonly [string, VersionedResource][];
  /** Subscribed names that do not exist (told once). */
  absent: string[];
  /** Names the client has that are gone. */
  removed: string[];
}

const MAX_OUTSTANDING = 64;
const NO_NAMES: ReadonlySet<string> = new Set();

export class DeltaConnection extends AdsConnection<DeltaDiscoveryRequest__Output, EncodedResponse> {
  private readonly types = new Map<string, TypeState>();

  protected async onDiscoveryRequest(req: DeltaDiscoveryRequest__Output): Promise<void> {
    const typeUrl = req.typeUrl;
    let st = this.types.get(typeUrl);
    const first = st === undefined;
    if (!st) {
      st = { wildcard: false, namespaced: typeUrl === TYPE_URL.virtualHost, explicit: new Set(), subsSerial: 0, known: new KnownVersions(), absentNotified: new Set(), force: new Set(), forceRemoved: new Set(), outstanding: new Map(), diffedSerial: -1, owed: NO_NAMES };
      this.types.set(typeUrl, st);
      for (const [name, version] of Object.entries(req.initialResourceVersions ?? {})) st.known.set(name, version);
    }
    this.subscribe(typeUrl, st, req, first);
    const nonce = req.responseNonce;
    const answered = nonce ? st.outstanding.get(nonce) : undefined;
    if (answered) {
      st.outstanding.delete(nonce);
      if (req.errorDetail) this.recordNack(typeUrl, st, nonce, answered, req);
      else this.recordAck(typeUrl, st, nonce, answered);
    } else if (nonce) {
      this.log.debug({ typeUrl, nonce }, 'unknown or stale nonce: subscription changes applied, nothing acknowledged');
    }
    const diff = this.diff(typeUrl, st);
    // While a push waits for endpoints, its removals wait too (they go out with the rest of it).
    const removed = this.pushWaiting ? [] : diff.removed;
    const newNamespace = st.namespaced && req.resourceNamesSubscribe.length > 0;
    if (first || newNamespace || diff.updates.length || diff.absent.length || removed.length) {
      await this.sendDelta(typeUrl, st, diff.updates, [...diff.absent, ...removed], undefined);
    }
  }

  protected async sendClusters(request: PushRequest): Promise<Set<string>> {
    let changedEds = new Set<string>();
    let newEds = new Set<string>();
    const cds = this.types.get(TYPE_URL.cluster);
    if (cds) {
      const d = this.diff(TYPE_URL.cluster, cds);
      const endpointsOf = (updates: Entries) => updates.flatMap(([name, entry]) => resourceRefs(TYPE_URL.cluster, name, entry).endpoints);
      changedEds = new Set(endpointsOf(d.updates));
      newEds = new Set(endpointsOf(d.updates.filter(([name]) => !cds.known.has(name))));
      if (d.updates.length || d.absent.length) await this.sendDelta(TYPE_URL.cluster, cds, d.updates, d.absent, request.start);
    }
    const eds = this.types.get(TYPE_URL.endpoint);
    if (eds) {
      // Envoy finishes warming an added or updated cluster only on a new EDS response.
      for (const n of changedEds) if (eds.wildcard || eds.explicit.has(n)) eds.force.add(n);
      const d = this.diff(TYPE_URL.endpoint, eds);
      if (d.updates.length || d.absent.length) await this.sendDelta(TYPE_URL.endpoint, eds, d.updates, d.absent, request.start);
    }
    // Wait for the endpoints of new clusters, which the client has yet to ask for.
    return new Set([...newEds].filter((n) => !eds?.known.has(n)));
  }

  protected async sendRest(request: PushRequest): Promise<void> {
    const ordered = this.ordered(this.types.keys());
    for (const typeUrl of ordered) {
      if (typeUrl === TYPE_URL.cluster || typeUrl === TYPE_URL.endpoint) continue;
      const st = this.types.get(typeUrl)!;
      const d = this.diff(typeUrl, st);
      if (d.updates.length || d.absent.length) await this.sendDelta(typeUrl, st, d.updates, d.absent, request.start);
    }
    // Removals last, in push order: nothing is taken away before its replacements are out.
    for (const typeUrl of ordered) {
      const st = this.types.get(typeUrl)!;
      const d = this.diff(typeUrl, st);
      if (d.updates.length || d.absent.length || d.removed.length) {
        await this.sendDelta(typeUrl, st, d.updates, [...d.absent, ...d.removed], request.start);
      }
    }
  }

  private subscribe(typeUrl: string, st: TypeState, req: DeltaDiscoveryRequest__Output, first: boolean): void {
    const subscribe = req.resourceNamesSubscribe;
    const unsubscribe = req.resourceNamesUnsubscribe;
    if (first && subscribe.length === 0 && unsubscribe.length === 0) st.wildcard = true;
    if (subscribe.length === 0 && unsubscribe.length === 0) return;
    // What the client holds may be a shared source covered by its subscriptions: a name subscribed now is
    // not held yet; for a change of "*" or of a VHDS namespace, copy what is held before coverage changes.
    if (st.namespaced || subscribe.includes('*') || unsubscribe.includes('*')) st.known.materialize();
    else for (const name of subscribe) if (!st.explicit.has(name)) st.known.unhold(name);
    const explicit = new Set(st.explicit);
    const source = this.current.get(typeUrl) ?? EMPTY_RESOURCES;
    for (const name of subscribe) {
      if (name === '*') {
        st.wildcard = true;
        continue;
      }
      explicit.add(name);
      st.absentNotified.delete(name);
      st.forceRemoved.delete(name);
      if (st.namespaced && !source.has(name)) {
        // A namespace: all its hosts go out, except (on a new stream) those the client listed at their current version.
        if (!first) this.forgetNamespace(st, name);
        continue;
      }
      const upToDate = first && st.known.get(name) === source.get(name)?.version;
      if (!upToDate) st.force.add(name);
    }
    for (const name of unsubscribe) {
      if (name === '*') {
        st.wildcard = false;
        for (const k of [...st.known.keys()]) if (!explicit.has(k)) st.known.delete(k);
        continue;
      }
      explicit.delete(name);
      st.force.delete(name);
      st.absentNotified.delete(name);
      if (st.wildcard) {
        // The client cannot tell whether "*" covers this name: tell it.
        if (source.has(name)) st.force.add(name);
        else st.forceRemoved.add(name);
      } else {
        st.known.delete(name);
        if (st.namespaced) this.forgetNamespace(st, name);
      }
    }
    st.explicit = sharedNames(explicit);
    st.subsSerial++;
  }

  /** The client drops (or will be sent again) every host of a namespace. */
  private forgetNamespace(st: TypeState, ns: string): void {
    for (const k of [...st.known.keys()]) if (vhdsNamespace(k) === ns) st.known.delete(k);
  }

  /** Whether the client wants `name` (wildcard, explicit, forced, or in a subscribed namespace). */
  private wanted(st: TypeState, name: string): boolean {
    if (st.wildcard || st.explicit.has(name) || st.force.has(name)) return true;
    if (!st.namespaced) return false;
    const ns = vhdsNamespace(name);
    return ns !== undefined && st.explicit.has(ns);
  }

  /**
   * What to send to bring the client to the current source. Every caller
   * sends the updates and absent names at once; only removals may be held
   * back (while a push waits for endpoints), so afterwards the client holds
   * the source plus `owed` removals, and the next diff starts from there.
   */
  private diff(typeUrl: string, st: TypeState): Diff {
    const source = this.current.get(typeUrl) ?? EMPTY_RESOURCES;
    const out: { updates: [string, VersionedResource][]; absent: string[]; removed: string[] } = { updates: [], absent: [], removed: [] };
    let shared: Entries | undefined;
    const settled = st.diffedSource !== undefined && st.diffedSerial === st.subsSerial && st.force.size === 0 && st.forceRemoved.size === 0;
    if (settled) {
      if (st.diffedSource !== source) {
        // Only what changed since the last diff can differ.
        const d = sourceDiff(st.diffedSource!, source);
        for (const [name, entry] of d.changed) if (this.wanted(st, name) && st.known.get(name) !== entry.version) out.updates.push([name, entry]);
        for (const name of d.gone) {
          if (st.known.has(name)) out.removed.push(name);
          else if (!st.namespaced && st.explicit.has(name) && !st.absentNotified.has(name)) out.absent.push(name);
        }
      }
      for (const name of st.owed) if (!source.has(name) && st.known.has(name) && !out.removed.includes(name)) out.removed.push(name);
    } else if (st.known.isEmpty && st.forceRemoved.size === 0) {
      // The client holds nothing (a new stream or subscription): everything it wants, as one array shared by streams alike.
      shared = wantedEntries(source, st.wildcard ? undefined : st.explicit, st.namespaced);
      if (!st.namespaced) for (const name of st.explicit) if (!source.has(name) && !st.absentNotified.has(name)) out.absent.push(name);
    } else {
      const candidates = new Set<string>([...st.explicit, ...st.known.keys(), ...st.force, ...st.forceRemoved]);
      if (st.wildcard || (st.namespaced && st.explicit.size > 0)) for (const n of source.keys()) candidates.add(n);
      for (const name of candidates) {
        const entry = source.get(name);
        if (entry && this.wanted(st, name)) {
          if (st.force.has(name) || st.known.get(name) !== entry.version) out.updates.push([name, entry]);
        } else if (!entry) {
          if (st.known.has(name) || st.forceRemoved.has(name)) out.removed.push(name);
          else if (!st.namespaced && st.explicit.has(name) && !st.absentNotified.has(name)) out.absent.push(name);
        }
      }
    }
    const result: Diff = shared ? { updates: shared, absent: out.absent, removed: out.removed } : out;
    st.diffedSource = source;
    st.diffedSerial = st.subsSerial;
    st.owed = out.removed.length > 0 ? new Set(out.removed) : NO_NAMES;
    if (result.updates.length === 0 && out.absent.length === 0 && out.removed.length === 0 && st.force.size === 0 && st.forceRemoved.size === 0) {
      // In sync: the client holds exactly what it wants of the source; share the source instead of a copy.
      st.known.rebase(source, this.covers(st));
    }
    return result;
  }

  private async sendDelta(typeUrl: string, st: TypeState, updates: readonly [string, VersionedResource][], removed: string[], pushStart: number | undefined): Promise<void> {
    const source = this.current.get(typeUrl) ?? EMPTY_RESOURCES;
    const version = typeVersion(source);
    const nonce = this.ctx.nonce();
    const shared = deltaBody(source, version, typeUrl, updates, this.ctx.strictEncoding);
    // A first response with everything the client wants: it now holds the source itself (no copy per stream).
    const whole = updates.length > 0 && removed.length === 0 && st.known.isEmpty && updates.length === this.wantedCount(st, source);
    if (whole) st.known.rebase(source, this.covers(st));
    for (const [name, entry] of updates) {
      if (!whole) st.known.set(name, entry.version);
      st.force.delete(name);
      st.absentNotified.delete(name);
    }
    for (const name of removed) {
      const had = st.known.delete(name);
      if (st.forceRemoved.delete(name) && !had) continue;
      // A subscribed name now gone has been told: not again as "does not exist".
      if (!had || st.explicit.has(name)) st.absentNotified.add(name);
    }
    const now = this.ctx.now();
    st.outstanding.set(nonce, { version, updates, removed, at: now, ...(pushStart !== undefined ? { pushStart } : {}) });
    if (st.outstanding.size > MAX_OUTSTANDING) st.outstanding.delete(st.outstanding.keys().next().value!);
    st.lastSent = { version, nonce, at: now, acked: false, nacked: false };
    const res = new EncodedResponse(shared.body, encodeDeltaTail(nonce, removed, this.ctx.controlPlaneId), version, typeUrl, nonce);
    if (await this.send(res)) {
      this.ctx.metrics.pushed?.(typeUrl, { resources: updates.length, removed: removed.length, bytes: shared.resourceBytes });
      this.log.debug({ typeUrl, nonce, resources: updates.length, removed: removed.length }, 'sent delta');
      if (typeUrl === TYPE_URL.endpoint && this.pushWaiting) this.endpointsSent(updates.map(([n]) => n));
    }
  }

  /** Which names of a source the client holds once in sync (all for a wildcard subscription). */
  private covers(st: TypeState): ((name: string) => boolean) | undefined {
    if (st.wildcard) return undefined;
    return (name) => st.explicit.has(name) || (st.namespaced && st.explicit.has(vhdsNamespace(name) ?? ''));
  }

  /** How many resources of `source` the client wants. */
  private wantedCount(st: TypeState, source: TypeResources): number {
    if (st.wildcard) return source.size;
    let n = 0;
    if (st.namespaced) {
      for (const name of source.keys()) if (st.explicit.has(name) || st.explicit.has(vhdsNamespace(name) ?? '')) n++;
    } else {
      for (const name of st.explicit) if (source.has(name)) n++;
    }
    return n;
  }


  private recordAck(typeUrl: string, st: TypeState, nonce: string, answered: Outstanding): void {
    const now = this.ctx.now();
    st.versionAcked = answered.version;
    st.nonceAcked = nonce;
    st.ackedAt = now;
    if (st.lastSent?.nonce === nonce) st.lastSent.acked = true;
    if (answered.pushStart !== undefined) this.ctx.metrics.converged?.(typeUrl, now - answered.pushStart);
  }

  private recordNack(typeUrl: string, st: TypeState, nonce: string, answered: Outstanding, req: DeltaDiscoveryRequest__Output): void {
    const detail = req.errorDetail!;
    st.lastNack = { version: answered.version, nonce, clientVersion: '', code: detail.code, message: detail.message, names: [...answered.updates.map(([n]) => n), ...answered.removed], at: iso(this.ctx.now())! };
    if (st.lastSent?.nonce === nonce) st.lastSent.nacked = true;
    this.ctx.metrics.nacked?.(typeUrl, this.proxy!, detail.message);
    this.log.warn({ typeUrl, nonce, error: detail.message }, 'NACK');
  }

  protected typeStatuses(): TypeStatus[] {
    return [...this.types].map(([typeUrl, st]) => {
      const s = st.lastSent;
      const status: TypeStatus = {
        typeUrl,
        wildcard: st.wildcard,
        subscribed: [...st.explicit],
        resources: st.known.size,
        state: !s ? 'none' : s.nacked ? 'nacked' : s.acked ? 'acked' : 'pending',
      };
      if (s) Object.assign(status, { versionSent: s.version, nonceSent: s.nonce, sentAt: iso(s.at) });
      if (st.versionAcked !== undefined) status.versionAcked = st.versionAcked;
      if (st.nonceAcked) status.nonceAcked = st.nonceAcked;
      if (st.ackedAt !== undefined) status.ackedAt = iso(st.ackedAt)!;
      if (st.lastNack) status.lastNack = st.lastNack;
      return status;
    });
  }
}
