// The trust bundle: every root a peer must accept right now. A rotated root
// stays in the bundle until its retirement time (the overlap), so that
// certificates it signed keep verifying while workloads move to the new root.
// Pure functions over plain data; the CA store persists it, ca-server publishes it.
import { X509Certificate } from 'node:crypto';
import { TRUST_BUNDLE_KEY, TRUST_BUNDLE_SCHEMA, subjectText, type TrustAnchor, type TrustBundleDocument } from '@sextant/workload-identity';

// The published document's shape and codec are shared with workloads (@sextant/workload-identity).
export { TRUST_BUNDLE_KEY, TRUST_BUNDLE_SCHEMA, type TrustAnchor, type TrustBundleDocument };

export interface TrustBundle {
  /** Grows by one on every change. */
  version: number;
  updatedAt: string;
  anchors: TrustAnchor[];
}

export const emptyBundle = (): TrustBundle => ({ version: 0, updatedAt: new Date(0).toISOString(), anchors: [] });

export function anchorOf(pem: string): TrustAnchor {
  const x = new X509Certificate(pem);
  return { pem: x.toString(), fingerprint: x.fingerprint256, subject: subjectText(x), notAfter: new Date(x.validTo).toISOString() };
}

function changed(bundle: TrustBundle, anchors: TrustAnchor[], now: Date): TrustBundle {
  return { version: bundle.version + 1, updatedAt: now.toISOString(), anchors };
}

/**
 * Makes `rootPem` the active root: added first if missing (active again if it
 * was retiring); every other active root starts retiring at now + overlap.
 * Returns the same object when nothing changes.
 */
export function activateRoot(bundle: TrustBundle, rootPem: string, overlapMs: number, now = new Date()): TrustBundle {
  const active = anchorOf(rootPem);
  const others = bundle.anchors.filter((a) => a.fingerprint !== active.fingerprint);
  const current = bundle.anchors.find((a) => a.fingerprint === active.fingerprint);
  const retireAt = new Date(now.getTime() + overlapMs).toISOString();
  const needsRetiring = others.some((a) => !a.retireAt);
  if (current && !current.retireAt && !needsRetiring && bundle.anchors[0] === current) return bundle;
  return changed(bundle, [active, ...others.map((a) => (a.retireAt ? a : { ...a, retireAt }))], now);
}

/** Drops roots whose retirement time or own expiry has passed. Same object when none do. */
export function pruneBundle(bundle: TrustBundle, now = new Date()): TrustBundle {
  const t = now.getTime();
  const keep = bundle.anchors.filter((a) => !(a.retireAt && Date.parse(a.retireAt) <= t) && Date.parse(a.notAfter) > t);
  return keep.length === bundle.anchors.length ? bundle : changed(bundle, keep, now);
}

/** When the bundle will next change by itself (a retirement or an expiry), if ever. */
export function nextBundleChange(bundle: TrustBundle): Date | undefined {
  const times = bundle.anchors.flatMap((a) => [Date.parse(a.notAfter), ...(a.retireAt ? [Date.parse(a.retireAt)] : [])]);
  return times.length ? new Date(Math.min(...times)) : undefined;
}

export function bundleDocument(bundle: TrustBundle, trustDomain: string): TrustBundleDocument {
  return {
    schema: TRUST_BUNDLE_SCHEMA,
    trustDomain,
    version: bundle.version,
    updatedAt: bundle.updatedAt,
    roots: bundle.anchors.map((a) => a.pem),
    anchors: bundle.anchors,
  };
}
