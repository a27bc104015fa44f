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
import type { DeltaDiscoveryRequest__Output, DeltaDiscoveryResponse } from '@sextant/proto';
import { TYPE_URL } from '@sextant/proto';
import { AdsConnection } from './connection';
import { resourceRefs } from './consistency';
import type { PushRequest } from './push-request';
import { EMPTY_RESOURCES, type TypeResources, type VersionedResource, packResource, typeVersion } from './snapshot';
import { type NackRecord, type TypeStatus, iso } from './status';

interface Outstanding {
  version: string;
  names: string[];
  at: number;
  pushStart?: number;
}

interface TypeState {
  wildcard: boolean;
  explicit: Set<string>;
  subsSerial: number;
  /** What the client has: name -> version. */
  known: Map<string, string>;
  absentNotified: Set<string>;
  force: Set<string>;
  forceRemoved: Set<string>;
  outstanding: Map<string, Outstanding>;
  lastSent?: { version: string; nonce: string; at: number; acked: boolean; nacked: boolean };
  diffedSource?: TypeResources;
  diffedSerial: number;
  versionAcked?: string;
  nonceAcked?: string;
  ackedAt?: number;
  lastNack?: NackRecord;
}

interface Diff {
  updates: [string, VersionedResource][];
  /** Subscribed names that do not exist (told once). */
  absent: string[];
  /** Names the client has that are gone. */
  removed: string[];
}

const MAX_OUTSTANDING = 64;

export class DeltaConnection extends AdsConnection<DeltaDiscoveryRequest__Output, DeltaDiscoveryResponse> {
  private readonly types = new Map<string, TypeState>();

  protected async onDiscoveryRequest(req: DeltaDiscoveryRequest__Output): Promise<void> {
    const typeUrl = req.typeUrl;
    let st = this.types.get(typeUrl);
    const first = st === undefined;
    if (!st) {
      st = { wildcard: false, explicit: new Set(), subsSerial: 0, known: new Map(), absentNotified: new Set(), force: new Set(), forceRemoved: new Set(), outstanding: new Map(), diffedSerial: -1 };
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
    if (first || diff.updates.length || diff.absent.length || removed.length) {
      await this.sendDelta(typeUrl, st, diff.updates, [...diff.absent, ...removed], undefined);
    }
  }

  protected async sendClusters(request: PushRequest): Promise<Set<string>> {
    let changedEds = new Set<string>();
    let newEds = new Set<string>();
    const cds = this.types.get(TYPE_URL.cluster);
    if (cds) {
      const d = this.diff(TYPE_URL.cluster, cds);
      const endpointsOf = (updates: [string, VersionedResource][]) => updates.flatMap(([name, entry]) => resourceRefs(TYPE_URL.cluster, name, entry).endpoints);
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
    const source = this.current.get(typeUrl) ?? EMPTY_RESOURCES;
    for (const name of subscribe) {
      if (name === '*') {
        st.wildcard = true;
        continue;
      }
      st.explicit.add(name);
      st.absentNotified.delete(name);
      st.forceRemoved.delete(name);
      const upToDate = first && st.known.get(name) === source.get(name)?.version;
      if (!upToDate) st.force.add(name);
    }
    for (const name of unsubscribe) {
      if (name === '*') {
        st.wildcard = false;
        for (const k of [...st.known.keys()]) if (!st.explicit.has(k)) st.known.delete(k);
        continue;
      }
      st.explicit.delete(name);
      st.force.delete(name);
      st.absentNotified.delete(name);
      if (st.wildcard) {
        // The client cannot tell whether "*" covers this name: tell it.
        if (source.has(name)) st.force.add(name);
        else st.forceRemoved.add(name);
      } else {
        st.known.delete(name);
      }
    }
    if (subscribe.length || unsubscribe.length) st.subsSerial++;
  }

  private diff(typeUrl: string, st: TypeState): Diff {
    const source = this.current.get(typeUrl) ?? EMPTY_RESOURCES;
    const out: Diff = { updates: [], absent: [], removed: [] };
    if (st.diffedSource === source && st.diffedSerial === st.subsSerial && st.force.size === 0 && st.forceRemoved.size === 0) return out;
    const candidates = new Set<string>([...st.explicit, ...st.known.keys(), ...st.force, ...st.forceRemoved]);
    if (st.wildcard) for (const n of source.keys()) candidates.add(n);
    for (const name of candidates) {
      const entry = source.get(name);
      const wanted = st.wildcard || st.explicit.has(name) || st.force.has(name);
      if (entry && wanted) {
        if (st.force.has(name) || st.known.get(name) !== entry.version) out.updates.push([name, entry]);
      } else if (!entry) {
        if (st.known.has(name) || st.forceRemoved.has(name)) out.removed.push(name);
        else if (st.explicit.has(name) && !st.absentNotified.has(name)) out.absent.push(name);
      }
    }
    if (out.updates.length === 0 && out.absent.length === 0 && out.removed.length === 0) {
      st.diffedSource = source;
      st.diffedSerial = st.subsSerial;
    }
    return out;
  }

  private async sendDelta(typeUrl: string, st: TypeState, updates: [string, VersionedResource][], removed: string[], pushStart: number | undefined): Promise<void> {
    const source = this.current.get(typeUrl) ?? EMPTY_RESOURCES;
    const version = typeVersion(source);
    const nonce = this.ctx.nonce();
    let bytes = 0;
    const resources = updates.map(([name, entry]) => {
      const any = packResource(typeUrl, entry, this.ctx.strictEncoding);
      bytes += any.value.length;
      st.known.set(name, entry.version);
      st.force.delete(name);
      st.absentNotified.delete(name);
      return { name, version: entry.version, resource: any };
    });
    for (const name of removed) {
      if (st.known.delete(name) || st.forceRemoved.delete(name)) continue;
      st.absentNotified.add(name);
    }
    const now = this.ctx.now();
    st.outstanding.set(nonce, { version, names: [...updates.map(([n]) => n), ...removed], at: now, ...(pushStart !== undefined ? { pushStart } : {}) });
    if (st.outstanding.size > MAX_OUTSTANDING) st.outstanding.delete(st.outstanding.keys().next().value!);
    st.lastSent = { version, nonce, at: now, acked: false, nacked: false };
    const res: DeltaDiscoveryResponse = {
      systemVersionInfo: version,
      typeUrl,
      nonce,
      resources,
      removedResources: removed,
      ...(this.ctx.controlPlaneId ? { controlPlane: { identifier: this.ctx.controlPlaneId } } : {}),
    };
    if (await this.send(res)) {
      this.ctx.metrics.pushed?.(typeUrl, { resources: resources.length, removed: removed.length, bytes });
      this.log.debug({ typeUrl, nonce, resources: resources.length, removed: removed.length }, 'sent delta');
      if (typeUrl === TYPE_URL.endpoint) this.endpointsSent(updates.map(([n]) => n));
    }
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
    st.lastNack = { version: answered.version, nonce, clientVersion: '', code: detail.code, message: detail.message, names: answered.names, at: iso(this.ctx.now())! };
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
