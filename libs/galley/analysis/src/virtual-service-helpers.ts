// Reading VirtualServices for the analyzers: every destination with its
// field path, gateway references, and whether the mesh (sidecars) applies it.
import type { Destination, VirtualService } from '@sextant/config-model';

export const MESH_GATEWAY = 'mesh';

export interface PathedDestination {
  destination: Destination;
  /** Path of the destination object, e.g. `spec.http[0].route[1].destination`. */
  path: string;
  /** `host` for route destinations, `mirror host` for mirrors (Istio's reference types). */
  refType: 'host' | 'mirror host';
  protocol: 'http' | 'tcp' | 'tls';
}

/** Every destination a VirtualService sends (or mirrors) traffic to. */
export function destinationsOf(vs: VirtualService): PathedDestination[] {
  const out: PathedDestination[] = [];
  (vs.spec.http ?? []).forEach((rule, i) => {
    (rule.route ?? []).forEach((r, j) => {
      if (r.destination) out.push({ destination: r.destination, path: `spec.http[${i}].route[${j}].destination`, refType: 'host', protocol: 'http' });
    });
    if (rule.mirror) out.push({ destination: rule.mirror, path: `spec.http[${i}].mirror`, refType: 'mirror host', protocol: 'http' });
    (rule.mirrors ?? []).forEach((m, j) => {
      if (m.destination) out.push({ destination: m.destination, path: `spec.http[${i}].mirrors[${j}].destination`, refType: 'mirror host', protocol: 'http' });
    });
  });
  for (const protocol of ['tcp', 'tls'] as const) {
    (vs.spec[protocol] ?? []).forEach((rule, i) => {
      (rule.route ?? []).forEach((r, j) => {
        if (r.destination) out.push({ destination: r.destination, path: `spec.${protocol}[${i}].route[${j}].destination`, refType: 'host', protocol });
      });
    });
  }
  return out;
}

/** `ns/name` or `name` (in the VirtualService's namespace) -> namespace and name. */
export function parseGatewayRef(ref: string, namespace: string): { namespace: string; name: string } {
  const slash = ref.indexOf('/');
  return slash < 0 ? { namespace, name: ref } : { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
}

/** Gateways the VirtualService binds to at the top level (`mesh` when none are named). */
export function gatewaysOf(vs: VirtualService): string[] {
  const g = vs.spec.gateways ?? [];
  return g.length ? [...g] : [MESH_GATEWAY];
}

export const boundToMesh = (vs: VirtualService): boolean => gatewaysOf(vs).includes(MESH_GATEWAY);

/** Non-mesh gateways, as `namespace/name`. */
export function gatewayKeysOf(vs: VirtualService): string[] {
  const ns = vs.metadata.namespace ?? '';
  return gatewaysOf(vs)
    .filter((g) => g !== MESH_GATEWAY)
    .map((g) => {
      const ref = parseGatewayRef(g, ns);
      return `${ref.namespace}/${ref.name}`;
    });
}

/** A VirtualService that hands its HTTP routes to delegates (Istio's delegation root). */
export const usesDelegate = (vs: VirtualService): boolean => (vs.spec.http ?? []).some((r) => r.delegate !== undefined);

/** `#2`, or the rule's name in quotes. */
export const ruleLabel = (rule: { name?: string }, i: number): string => (rule.name ? `${JSON.stringify(rule.name)} (#${i})` : `#${i}`);
