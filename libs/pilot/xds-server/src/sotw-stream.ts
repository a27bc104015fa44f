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
//   - A response to a request holds every subscribed resource that exists:
//     all of the proxy's resources for wildcard subscriptions (Envoy's
//     LDS/CDS), the requested names otherwise. Names requested before they
//     exist go out when they appear.
//   - A push of a type that is not a full state (all but LDS/CDS: RDS, EDS,
//     SDS) holds only what the client lacks: new and changed resources, and
//     the endpoints of clusters Envoy re-warms (see partial-response.ts). The
//     first response of a type, a response to a request and the push after
//     a NACK hold everything. `sent.entries` is what the client has in all.
import type { DiscoveryRequest__Output, DiscoveryResponse } from '@sextant/proto';
import { TYPE_URL } from '@sextant/proto';
import { AdsConnection } from './connection';
import { EncodedResponse, encodeResponseBody, encodeResponseTail } from './response-encoder';
import { changedResources, clusterEndpointChanges } from './partial-response';
import { sameNames, selectResources, sharedNameSet } from './subscriptions';
import type { PushRequest } from './push-request';
import { EMPTY_RESOURCES, type TypeResources, type VersionedResource, packResource, sameResources, typeVersion } from './snapshot';
import { type NackRecord, type TypeStatus, iso } from './status';

interface Sent {
  /** Everything the client has of this type (a partial response adds to what it had). */
  entries: TypeResources;
  /** The snapshot map the entries came from (identity fast path). */
  source: TypeResources;
  subsSerial: number;
  version: string;
  nonce: string | undefined;
  at: number;
  pushStart: number | undefined;
  acked: boolean;
  nacked: boolean;
}

interface TypeState {
  wildcard: boolean;
  explicit: ReadonlySet<string>;
  everExplicit: boolean;
  subsSerial: number;
  /** The request names st.explicit was last checked against (a shared array when decoded by request-names.ts). */
  namesSeen: readonly string[] | undefined;
  sent: Sent | undefined;
  versionAcked: string | undefined;
  nonceAcked: string | undefined;
  ackedAt: number | undefined;
  lastNack: NackRecord | undefined;
}

interface Planned {
  typeUrl: string;
  st: TypeState;
  entries: TypeResources;
  source: TypeResources;
}

const EMPTY_NAMES: ReadonlySet<string> = new Set();

interface Body {
  typeUrl: string;
  version: string;
  bytes: Buffer;
  resources: number;
  resourceBytes: number;
}

/** Encoded bodies per resource set: streams sent the same map (shared snapshots) share one body. */
const bodies = new WeakMap<TypeResources, Body>();

function responseBody(typeUrl: string, entries: TypeResources, version: string, strict: boolean): Body {
  const cached = bodies.get(entries);
  if (cached && cached.typeUrl === typeUrl && cached.version === version) return cached;
  let resourceBytes = 0;
  const anys = [...entries.values()].map((e) => {
    const any = packResource(typeUrl, e, strict);
    resourceBytes += any.value.length;
    return any;
  });
  const body = { typeUrl, version, bytes: encodeResponseBody(version, anys, typeUrl), resources: anys.length, resourceBytes };
  bodies.set(entries, body);
  return body;
}

export class SotwConnection extends AdsConnection<DiscoveryRequest__Output, DiscoveryResponse | EncodedResponse> {
  private readonly types = new Map<string, TypeState>();
  /** Removed resources still sent while a push is under way (make before break). */
  private readonly held = new Map<string, Map<string, VersionedResource>>();
  staleRequests = 0;

  protected async onDiscoveryRequest(req: DiscoveryRequest__Output): Promise<void> {
    const typeUrl = req.typeUrl;
    let st = this.types.get(typeUrl);
    const isNew = st === undefined;
    // Every field from the start: one object shape for every type state (no map transitions, no deopts on the first push).
    st ??= { wildcard: false, explicit: EMPTY_NAMES, everExplicit: false, subsSerial: 0, namesSeen: undefined, sent: undefined, versionAcked: undefined, nonceAcked: undefined, ackedAt: undefined, lastNack: undefined };
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

  protected async sendClusters(request: PushRequest): Promise<Set<string>> {
    this.release();
    // Removed clusters (and their endpoints) are held until the rest of the push is out.
    const holdRemovals = [...this.types.keys()].some((t) => t !== TYPE_URL.cluster && t !== TYPE_URL.endpoint && this.changed(t));
    let changedEds: ReadonlySet<string> = EMPTY_NAMES;
    let newEds: ReadonlySet<string> = EMPTY_NAMES;
    let cds = this.changed(TYPE_URL.cluster);
    if (cds) {
      const old = cds.st.sent?.entries ?? EMPTY_RESOURCES;
      ({ changed: changedEds, added: newEds } = clusterEndpointChanges(cds.entries, old));
      const removed = [...old.keys()].filter((n) => !cds!.entries.has(n));
      if (holdRemovals && removed.length > 0) {
        this.hold(TYPE_URL.cluster, old, removed);
        const eds = this.types.get(TYPE_URL.endpoint);
        const oldEds = eds?.sent?.entries;
        if (eds && oldEds) this.hold(TYPE_URL.endpoint, oldEds, [...oldEds.keys()].filter((n) => !this.current.get(TYPE_URL.endpoint)?.has(n)));
        cds = this.changed(TYPE_URL.cluster) ?? cds;
      }
      await this.sendResponse(cds, request.start);
    }
    const eds = this.types.get(TYPE_URL.endpoint);
    if (eds) {
      const source = this.current.get(TYPE_URL.endpoint) ?? EMPTY_RESOURCES;
      const entries = this.contentFor(TYPE_URL.endpoint, eds, source);
      // Envoy finishes warming an added or updated cluster only on a new EDS response.
      const rewarm = [...changedEds].some((n) => entries.has(n));
      if (!eds.sent || rewarm || !sameResources(eds.sent.entries, entries)) {
        await this.sendPush({ typeUrl: TYPE_URL.endpoint, st: eds, entries, source }, request.start, changedEds);
      }
    }
    // Wait for the endpoints of new clusters, which the client has yet to ask for.
    const sent = eds?.sent?.entries;
    return new Set([...newEds].filter((n) => !sent?.has(n)));
  }

  protected async sendRest(request: PushRequest): Promise<void> {
    for (const typeUrl of this.ordered(this.types.keys())) {
      if (typeUrl === TYPE_URL.cluster || typeUrl === TYPE_URL.endpoint) continue;
      const p = this.changed(typeUrl);
      if (p) await this.sendPush(p, request.start);
    }
    // Removals last: the final CDS response, without the clusters held back.
    this.release();
    const cds = this.changed(TYPE_URL.cluster);
    if (cds) await this.sendResponse(cds, request.start);
  }

  /** Keeps resources the client has (at their sent versions) in responses until release(). */
  private hold(typeUrl: string, sent: TypeResources, names: string[]): void {
    const st = this.types.get(typeUrl);
    if (!st || names.length === 0) return;
    this.held.set(typeUrl, new Map(names.map((n) => [n, sent.get(n)!])));
    st.subsSerial++; // invalidates the identity fast path
  }

  private release(): void {
    for (const typeUrl of this.held.keys()) {
      const st = this.types.get(typeUrl);
      if (st) st.subsSerial++;
    }
    this.held.clear();
  }

  /** The response a type needs now, or undefined when the client already has it. */
  private changed(typeUrl: string): Planned | undefined {
    const st = this.types.get(typeUrl);
    if (!st) return undefined;
    const source = this.current.get(typeUrl) ?? EMPTY_RESOURCES;
    if (st.sent && st.sent.source === source && st.sent.subsSerial === st.subsSerial) return undefined;
    const entries = this.contentFor(typeUrl, st, source);
    if (st.sent && sameResources(st.sent.entries, entries)) return undefined;
    return { typeUrl, st, entries, source };
  }

  /** Applies resource_names; returns whether anything was added to the subscription. */
  private subscribe(st: TypeState, names: string[]): boolean {
    const wasWildcard = st.wildcard;
    const before = st.explicit;
    if (names.length === 0 && !st.everExplicit) {
      st.wildcard = true;
      st.explicit = EMPTY_NAMES;
    } else {
      st.everExplicit = true;
      st.wildcard = names.includes('*');
      // Envoy repeats its subscription in every ACK: unchanged names keep the (shared) set. The same
      // array as last time (request-names.ts decodes a repeated run once) is unchanged without a look.
      if (names !== st.namesSeen && !sameNames(before, names)) st.explicit = sharedNameSet(names);
      st.namesSeen = names;
    }
    if (st.explicit === before && st.wildcard === wasWildcard) return false;
    const added = (st.wildcard && !wasWildcard) || someMissing(st.explicit, before);
    const removed = (!st.wildcard && wasWildcard) || someMissing(before, st.explicit);
    if (added || removed) st.subsSerial++;
    return added;
  }

  /** Reconnect: a wildcard client already at our version needs no response (spec: LDS/CDS only). */
  private clientIsCurrent(typeUrl: string, st: TypeState, clientVersion: string): boolean {
    if (!clientVersion || !st.wildcard || st.explicit.size > 0 || !this.ctx.fullStateTypes.has(typeUrl)) return false;
    const source = this.current.get(typeUrl) ?? EMPTY_RESOURCES;
    if (typeVersion(source) !== clientVersion) return false;
    const now = this.ctx.now();
    st.sent = { entries: source, source, subsSerial: st.subsSerial, version: clientVersion, nonce: undefined, at: now, pushStart: undefined, acked: true, nacked: false };
    st.versionAcked = clientVersion;
    st.ackedAt = now;
    this.log.debug({ typeUrl, version: clientVersion }, 'client already has this version; nothing sent');
    return true;
  }

  private contentFor(typeUrl: string, st: TypeState, source: TypeResources): TypeResources {
    const held = this.held.get(typeUrl);
    // Streams with the same subscription share the selection (and so the encoded response).
    if (!held) return selectResources(st.explicit, st.wildcard, source);
    const out = new Map<string, VersionedResource>(st.wildcard ? source : []);
    for (const name of st.explicit) {
      const e = source.get(name);
      if (e) out.set(name, e);
    }
    for (const [name, e] of held) if (!out.has(name) && (st.wildcard || st.explicit.has(name))) out.set(name, e);
    return out;
  }

  private async respond(typeUrl: string, st: TypeState): Promise<void> {
    const source = this.current.get(typeUrl) ?? EMPTY_RESOURCES;
    await this.sendResponse({ typeUrl, st, entries: this.contentFor(typeUrl, st, source), source }, undefined);
  }

  /**
   * A push: LDS/CDS (full state), the first response of a type and the one
   * after a NACK carry everything; other types only what the client lacks
   * (plus `resend`). Nothing goes out when it lacks nothing.
   */
  private async sendPush(p: Planned, pushStart: number, resend?: ReadonlySet<string>): Promise<void> {
    const sent = p.st.sent;
    if (!sent || sent.nacked || this.ctx.fullStateTypes.has(p.typeUrl)) return this.sendResponse(p, pushStart);
    const delta = changedResources(sent.entries, p.entries, resend);
    if (delta.size > 0) return this.sendResponse(p, pushStart, delta);
    // Only removals (not signalled for these types): the client has all it needs.
    Object.assign(sent, { entries: p.entries, source: p.source, subsSerial: p.st.subsSerial });
  }

  /** Sends `content` (all of `p.entries` unless given) and records that the client now has `p.entries`. */
  private async sendResponse(p: Planned, pushStart: number | undefined, content: TypeResources = p.entries): Promise<void> {
    const { typeUrl, st, entries, source } = p;
    // version_info is the version of everything the client has, whatever part of it the response carries.
    const version = typeVersion(entries);
    const nonce = this.ctx.nonce();
    const body = responseBody(typeUrl, content, version, this.ctx.strictEncoding);
    // Same shape whether or not a push sent it (responses to requests and pushes share this code).
    st.sent = { entries, source, subsSerial: st.subsSerial, version, nonce, at: this.ctx.now(), pushStart, acked: false, nacked: false };
    const res = new EncodedResponse(body.bytes, encodeResponseTail(nonce, this.ctx.controlPlaneId), version, typeUrl, nonce);
    if (await this.send(res)) {
      this.ctx.metrics.pushed?.(typeUrl, { resources: body.resources, removed: 0, bytes: body.resourceBytes });
      this.log.debug({ typeUrl, version, nonce, resources: body.resources }, 'sent');
      if (typeUrl === TYPE_URL.endpoint) this.endpointsSent(entries.keys());
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

/** Whether some member of `a` is not in `b`. */
function someMissing(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const n of a) if (!b.has(n)) return true;
  return false;
}
