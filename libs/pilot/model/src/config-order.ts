// Istio orders configuration by creation time, then namespace, then name, so
// that "the oldest wins" conflicts resolve the same way every push.
import { keyOf, type Resource } from '@sextant/config-model';

function created(r: Resource): number {
  const t = r.metadata.creationTimestamp ? Date.parse(r.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

export function compareConfigs(a: Resource, b: Resource): number {
  const ta = created(a);
  const tb = created(b);
  if (ta !== tb) return ta - tb;
  const na = a.metadata.namespace ?? '';
  const nb = b.metadata.namespace ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

export function sortConfigs<R extends Resource>(list: readonly R[]): R[] {
  return [...list].sort(compareConfigs);
}

/** `Kind/namespace/name`. */
export function configKeyOf(r: Resource): string {
  return keyOf(r);
}
