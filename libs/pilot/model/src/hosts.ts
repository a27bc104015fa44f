// Host name matching and exportTo visibility, with Istio's rules.

/** Does `hostname` (which may itself be a `*.` wildcard) fall under `pattern` (`*`, `*.suffix` or exact)? */
export function hostMatches(hostname: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) {
    const suffix = pattern.slice(1);
    if (hostname.startsWith('*')) return hostname.slice(1).endsWith(suffix);
    return hostname.endsWith(suffix);
  }
  return hostname === pattern;
}

/** Either host matches the other (Istio's host.Name.Matches both ways). */
export function hostsIntersect(a: string, b: string): boolean {
  return hostMatches(a, b) || hostMatches(b, a);
}

/**
 * Of `patterns`, the one that matches `hostname` most specifically: an
 * exact match, else the longest matching wildcard.
 */
export function mostSpecificHostMatch<T>(hostname: string, candidates: readonly T[], hostOf: (c: T) => string): T | undefined {
  let best: T | undefined;
  let bestLen = -1;
  for (const c of candidates) {
    const h = hostOf(c);
    if (h === hostname) return c;
    if (h.startsWith('*') && hostMatches(hostname, h) && h.length > bestLen) {
      best = c;
      bestLen = h.length;
    }
  }
  return best;
}

/**
 * Istio's exportTo: `*` (everyone, also when empty), `.` (the owner's
 * namespace), `~` (nobody) or namespace names.
 */
export function isVisibleTo(exportTo: readonly string[] | undefined, ownerNamespace: string, viewerNamespace: string): boolean {
  if (!exportTo || exportTo.length === 0) return true;
  for (const e of exportTo) {
    if (e === '*') return true;
    if (e === '~') continue;
    if (e === '.' && ownerNamespace === viewerNamespace) return true;
    if (e === viewerNamespace) return true;
  }
  return false;
}
