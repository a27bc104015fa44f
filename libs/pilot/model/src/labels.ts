// Label selectors as Istio uses them: a selector matches when every one of
// its key/value pairs is in the labels. An empty or missing selector matches
// everything.
export type Labels = Readonly<Record<string, string>>;

export function selectorMatches(selector: Labels | undefined | null, labels: Labels | undefined): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector)) {
    if (!labels || labels[k] !== v) return false;
  }
  return true;
}

/** Stable text for a label set (sorted `k=v` joined by `,`). */
export function labelsKey(labels: Labels | undefined): string {
  if (!labels) return '';
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** The labels restricted to `keys`. */
export function pickLabels(labels: Labels | undefined, keys: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (!labels) return out;
  for (const k of keys) if (labels[k] !== undefined) out[k] = labels[k]!;
  return out;
}
