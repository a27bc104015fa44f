// The one list of configuration kinds Sextant accepts. Everything else (the
// schema generator, decoding, validation, storage keys, the CLI's short names)
// reads this list; add a kind here first.

export interface KindInfo {
  /** API group, e.g. `networking.istio.io`. */
  readonly group: string;
  /** Kind as written in `kind:`, e.g. `VirtualService`. */
  readonly kind: string;
  /** Lower-case plural used in REST paths and CRD names, e.g. `virtualservices`. */
  readonly plural: string;
  /** Lower-case singular, e.g. `virtualservice`. */
  readonly singular: string;
  /** kubectl short names, e.g. `vs`. */
  readonly shortNames: readonly string[];
  /** Every version that is accepted on input, newest first. */
  readonly versions: readonly string[];
  /** The version every accepted version is converted to (the internal form). */
  readonly storageVersion: string;
  /** true: the resource lives in a namespace; false: cluster-scoped. */
  readonly namespaced: boolean;
}

const NETWORKING = 'networking.istio.io';
const SECURITY = 'security.istio.io';
const NETWORKING_VERSIONS = ['v1', 'v1beta1', 'v1alpha3'] as const;
const SECURITY_VERSIONS = ['v1', 'v1beta1'] as const;

export const ISTIO_KINDS = [
  {
    group: NETWORKING,
    kind: 'VirtualService',
    plural: 'virtualservices',
    singular: 'virtualservice',
    shortNames: ['vs'],
    versions: NETWORKING_VERSIONS,
    storageVersion: 'v1',
    namespaced: true,
  },
  {
    group: NETWORKING,
    kind: 'DestinationRule',
    plural: 'destinationrules',
    singular: 'destinationrule',
    shortNames: ['dr'],
    versions: NETWORKING_VERSIONS,
    storageVersion: 'v1',
    namespaced: true,
  },
  {
    group: NETWORKING,
    kind: 'Gateway',
    plural: 'gateways',
    singular: 'gateway',
    shortNames: ['gw'],
    versions: NETWORKING_VERSIONS,
    storageVersion: 'v1',
    namespaced: true,
  },
  {
    group: NETWORKING,
    kind: 'ServiceEntry',
    plural: 'serviceentries',
    singular: 'serviceentry',
    shortNames: ['se'],
    versions: NETWORKING_VERSIONS,
    storageVersion: 'v1',
    namespaced: true,
  },
  {
    group: NETWORKING,
    kind: 'Sidecar',
    plural: 'sidecars',
    singular: 'sidecar',
    shortNames: [],
    versions: NETWORKING_VERSIONS,
    storageVersion: 'v1',
    namespaced: true,
  },
  {
    group: NETWORKING,
    kind: 'WorkloadEntry',
    plural: 'workloadentries',
    singular: 'workloadentry',
    shortNames: ['we'],
    versions: NETWORKING_VERSIONS,
    storageVersion: 'v1',
    namespaced: true,
  },
  {
    group: SECURITY,
    kind: 'PeerAuthentication',
    plural: 'peerauthentications',
    singular: 'peerauthentication',
    shortNames: ['pa'],
    versions: SECURITY_VERSIONS,
    storageVersion: 'v1',
    namespaced: true,
  },
  {
    group: SECURITY,
    kind: 'AuthorizationPolicy',
    plural: 'authorizationpolicies',
    singular: 'authorizationpolicy',
    shortNames: ['ap'],
    versions: SECURITY_VERSIONS,
    storageVersion: 'v1',
    namespaced: true,
  },
  {
    group: SECURITY,
    kind: 'RequestAuthentication',
    plural: 'requestauthentications',
    singular: 'requestauthentication',
    shortNames: ['ra'],
    versions: SECURITY_VERSIONS,
    storageVersion: 'v1',
    namespaced: true,
  },
] as const satisfies readonly KindInfo[];

export type IstioKind = (typeof ISTIO_KINDS)[number]['kind'];

const byKind = new Map<string, KindInfo>(ISTIO_KINDS.map((k) => [k.kind, k]));
const byName = new Map<string, KindInfo>();
for (const k of ISTIO_KINDS) {
  for (const name of [k.kind.toLowerCase(), k.plural, k.singular, ...k.shortNames]) byName.set(name, k);
}

/** The kind's entry, by its exact `kind:` spelling. */
export function findKind(kind: string): KindInfo | undefined {
  return byKind.get(kind);
}

export function isIstioKind(kind: string): kind is IstioKind {
  return byKind.has(kind);
}

/**
 * Resolves what a user may type on a command line: kind (any case), plural,
 * singular or short name (`vs`, `virtualservices`, `VirtualService`).
 */
export function lookupKind(name: string): KindInfo | undefined {
  return byKind.get(name) ?? byName.get(name.toLowerCase());
}

export interface ApiVersionParts {
  group: string;
  version: string;
}

/** `networking.istio.io/v1` -> {group, version}; `v1` (core) -> group ''. */
export function parseApiVersion(apiVersion: string): ApiVersionParts {
  const slash = apiVersion.lastIndexOf('/');
  if (slash < 0) return { group: '', version: apiVersion };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function apiVersionOf(info: KindInfo, version: string = info.storageVersion): string {
  return `${info.group}/${version}`;
}

export type KindMatch =
  | { status: 'ok'; info: KindInfo; version: string }
  | { status: 'unknown-kind' }
  | { status: 'wrong-group'; info: KindInfo }
  | { status: 'unsupported-version'; info: KindInfo; version: string };

/** Checks an (apiVersion, kind) pair against the list of kinds. */
export function matchKind(apiVersion: string, kind: string): KindMatch {
  const info = byKind.get(kind);
  if (!info) return { status: 'unknown-kind' };
  const { group, version } = parseApiVersion(apiVersion);
  if (group !== info.group) return { status: 'wrong-group', info };
  if (!info.versions.includes(version)) return { status: 'unsupported-version', info, version };
  return { status: 'ok', info, version };
}
