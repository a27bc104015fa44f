// StreamAggregatedResources: the state-of-the-world variant of ADS.
//
// Per type URL: the subscription (wildcard and/or explicit names), the last
// response (version, nonce, resources) and the client's answer to it.
//   - ACK: a request carrying the latest nonce and no error_detail.
//   - NACK: a request carrying error_detail (never inferred from versions);
//     recorded for debug; nothing is re-sent for it. Only a snapshot whose
//     content differs from the rejected one goes out next.
//   - Stale: a request whose nonce is not the latest one sent for its type
//     is ignored entirely, as the spec asks (the client re-sends its current
//     subscription with the next ACK anyway).
//   - A response holds every subscribed resource that exists: all of the
//     proxy's resources for wildcard subscriptions (Envoy's LDS/CDS), the
//     requested names otherwise. Names requested before they exist go out
//     when they appear.
import type { DiscoveryRequest__Output, DiscoveryResponse } from '@sextant/proto';
import { TYPE_URL } from '@sextant/proto';
import { AdsConnection } from './connection';
import type { PushRequest } from './push-request';
import { EMPTY_RESOURCES, type TypeResources, type VersionedResource, packResource, sameResources, typeVersion, versionOf } from './snapshot';
import { type NackRecord, type TypeStatus, iso } from './status';

interface Sent {
  entries: TypeResources;
  /** The snapshot map the entries came from (identity fast path). */
  source: TypeResources;
  subsSerial: number;
  version: string;
  nonce?: string;
  at: number;
  pushStart?: number;
  acked: boolean;
  nacked: boolean;
}

interface TypeState {
  wildcard: boolean;
  explicit: Set<string>;
  everExplicit: boolean;
  subsSerial: number;
  sent?: Sent;
  versionAcked?: string;
  nonceAcked?: string;
  ackedAt?: number;
  lastNack?: NackRecord;
}

interface Planned {
  typeUrl: string;
  st: TypeState;
  entries: TypeResources;
  source: TypeResources;
}

export class SotwConnection extends AdsConnection<DiscoveryRequest__Output, DiscoveryResponse> {
  private readonly types = new Map<string, TypeState>();
  staleRequests = 0;

  protected async onDiscoveryRequest(req: DiscoveryRequest__Output): Promise<void> {
    const typeUrl = req.typeUrl;
    let st = this.types.get(typeUrl);
    const isNew = st === undefined;
    st ??= { wildcard: false, explicit: new Set(), everExplicit: false, subsSerial: 0 };
    const nonce = req.responseNonce;
    if (nonce && st.sent?.nonce !== undefined && nonce !== st.sent.nonce) {
      this.staleRequests++;
      this.log.debug({ typeUrl, nonce, latest: st.sent.nonce }, 'stale nonce: request ignored');
      return;
    }
    this.types.set(typeUrl, st);
    const added = this.subscribe(st, req.resourceNames);
    if (req.errorDetail) {
      this.recordNack(typeUrl, st, req);
      if (added) await this.respond(typeUrl, st);
      return;
    }
    if (nonce && st.sent && nonce === st.sent.nonce) {
      this.recordAck(typeUrl, st, req);
      if (added) await this.respond(typeUrl, st);
      return;
    }
    // First request for this type on this stream (nonce empty, or from an earlier stream).
    if (isNew && this.clientIsCurrent(typeUrl, st, req.versionInfo)) return;
    await this.respond(typeUrl, st);
  }

  protected async pushChanges(request: PushRequest): Promise<void> {
    const plan: Planned[] = [];
    for (const typeUrl of this.ordered(this.types.keys())) {
      const st = this.types.get(typeUrl)!;
      const source = this.current.get(typeUrl) ?? EMPTY_RESOURCES;
      if (st.sent && st.sent.source === source && st.sent.subsSerial === st.subsSerial) continue;
      const entries = this.contentFor(st, source);
      if (st.sent && sameResources(st.sent.entries, entries)) continue;
      plan.push({ typeUrl, st, entries, source });
    }
    const final = this.makeBeforeBreak(plan);
    for (const p of plan) {
      // Keeping removed resources may have made a planned response equal to the last one.
      if (p.st.sent && sameResources(p.st.sent.entries, p.entries)) continue;
      await this.sendResponse(p, request.start);
    }
    if (final) await this.sendResponse(final, request.start);
  }

  /**
   * Clusters removed in a push that also changes other types are removed in
   * a second CDS response, after the listeners and routes that stopped using
   * them: the first CDS (and EDS) response keeps the removed ones at the
   * version last sent.
   */
  private makeBeforeBreak(plan: Planned[]): Planned | undefined {
    const cds = plan.find((p) => p.typeUrl === TYPE_URL.cluster);
    if (!cds || plan.length < 2 || !cds.st.sent) return undefined;
    const old = cds.st.sent.entries;
    const removed = [...old.keys()].filter((n) => !cds.entries.has(n));
    if (removed.length === 0) return undefined;
    const final = { ...cds };
    cds.entries = withKept(cds.entries, old, removed);
    const eds = plan.find((p) => p.typeUrl === TYPE_URL.endpoint);
    if (eds?.st.sent) {
      const oldEds = eds.st.sent.entries;
      const keep = [...oldEds.keys()].filter((n) => !eds.entries.has(n) && (eds.st.wildcard || eds.st.explicit.has(n)));
      eds.entries = withKept(eds.entries, oldEds, keep);
    }
    return final;
  }

  /** Applies resource_names; returns whether anything was added to the subscription. */
  private subscribe(st: TypeState, names: string[]): boolean {
    const wasWildcard = st.wildcard;
    const before = st.explicit;
    if (names.length === 0 && !st.everExplicit) {
      st.wildcard = true;
      st.explicit = new Set();
    } else {
      st.everExplicit = true;
      st.wildcard = names.includes('*');
      st.explicit = new Set(names.filter((n) => n !== '*'));
    }
    const added = (st.wildcard && !wasWildcard) || [...st.explicit].some((n) => !before.has(n));
    const removed = (!st.wildcard && wasWildcard) || [...before].some((n) => !st.explicit.has(n));
    if (added || removed) st.subsSerial++;
    return added;
  }

  /** Reconnect: a wildcard client already at our version needs no response (spec: LDS/CDS only). */
  private clientIsCurrent(typeUrl: string, st: TypeState, clientVersion: string): boolean {
    if (!clientVersion || !st.wildcard || st.explicit.size > 0 || !this.ctx.fullStateTypes.has(typeUrl)) return false;
    const source = this.current.get(typeUrl) ?? EMPTY_RESOURCES;
    if (typeVersion(source) !== clientVersion) return false;
    const now = this.ctx.now();
    st.sent = { entries: source, source, subsSerial: st.subsSerial, version: clientVersion, at: now, acked: true, nacked: false };
    st.versionAcked = clientVersion;
    st.ackedAt = now;
    this.log.debug({ typeUrl, version: clientVersion }, 'client already has this version; nothing sent');
    return true;
  }

  private contentFor(st: TypeState, source: TypeResources): TypeResources {
    if (st.wildcard && st.explicit.size === 0) return source;
    const out = new Map<string, VersionedResource>(st.wildcard ? source : []);
    for (const name of st.explicit) {
      const e = source.get(name);
      if (e) out.set(name, e);
    }
    return out;
  }

  private async respond(typeUrl: string, st: TypeState): Promise<void> {
    const source = this.current.get(typeUrl) ?? EMPTY_RESOURCES;
    await this.sendResponse({ typeUrl, st, source, entries: this.contentFor(st, source) }, undefined);
  }

  private async sendResponse(p: Planned, pushStart: number | undefined): Promise<void> {
    const { typeUrl, st, entries, source } = p;
    const version = entries === source ? typeVersion(source) : versionOf(entries);
    const nonce = this.ctx.nonce();
    let bytes = 0;
    const resources = [...entries.values()].map((e) => {
      const any = packResource(typeUrl, e, this.ctx.strictEncoding);
      bytes += any.value.length;
      return any;
    });
    st.sent = { entries, source, subsSerial: st.subsSerial, version, nonce, at: this.ctx.now(), acked: false, nacked: false };
    if (pushStart !== undefined) st.sent.pushStart = pushStart;
    const res: DiscoveryResponse = {
      versionInfo: version,
      typeUrl,
      nonce,
      resources,
      ...(this.ctx.controlPlaneId ? { controlPlane: { identifier: this.ctx.controlPlaneId } } : {}),
    };
    if (await this.send(res)) {
      this.ctx.metrics.pushed?.(typeUrl, { resources: resources.length, removed: 0, bytes });
      this.log.debug({ typeUrl, version, nonce, resources: resources.length }, 'sent');
    }
  }

  private recordAck(typeUrl: string, st: TypeState, req: DiscoveryRequest__Output): void {
    const sent = st.sent!;
    const now = this.ctx.now();
    st.versionAcked = req.versionInfo;
    st.nonceAcked = req.responseNonce;
    st.ackedAt = now;
    if (!sent.acked && sent.pushStart !== undefined) this.ctx.metrics.converged?.(typeUrl, now - sent.pushStart);
    sent.acked = true;
  }

  private recordNack(typeUrl: string, st: TypeState, req: DiscoveryRequest__Output): void {
    const detail = req.errorDetail!;
    const names = req.resourceNames.length > 0 ? [...req.resourceNames] : [...(st.sent?.entries.keys() ?? [])];
    st.lastNack = {
      version: st.sent?.version ?? '',
      nonce: req.responseNonce,
      clientVersion: req.versionInfo,
      code: detail.code,
      message: detail.message,
      names,
      at: iso(this.ctx.now())!,
    };
    if (st.sent && st.sent.nonce === req.responseNonce) st.sent.nacked = true;
    this.ctx.metrics.nacked?.(typeUrl, this.proxy!, detail.message);
    this.log.warn({ typeUrl, version: st.lastNack.version, nonce: req.responseNonce, error: detail.message }, 'NACK');
  }

  protected typeStatuses(): TypeStatus[] {
    return [...this.types].map(([typeUrl, st]) => {
      const s = st.sent;
      const status: TypeStatus = {
        typeUrl,
        wildcard: st.wildcard,
        subscribed: [...st.explicit],
        resources: s?.entries.size ?? 0,
        state: !s ? 'none' : s.nacked ? 'nacked' : s.acked ? 'acked' : 'pending',
      };
      if (s) Object.assign(status, { versionSent: s.version, sentAt: iso(s.at) }, s.nonce ? { nonceSent: s.nonce } : {});
      if (st.versionAcked !== undefined) status.versionAcked = st.versionAcked;
      if (st.nonceAcked) status.nonceAcked = st.nonceAcked;
      if (st.ackedAt !== undefined) status.ackedAt = iso(st.ackedAt)!;
      if (st.lastNack) status.lastNack = st.lastNack;
      return status;
    });
  }
}

function withKept(entries: TypeResources, old: TypeResources, names: string[]): TypeResources {
  if (names.length === 0) return entries;
  const out = new Map(entries);
  for (const n of names) out.set(n, old.get(n)!);
  return out;
}
