// The one catalogue of analysis message types. A code is stable once
// released: callers (CI scripts, `sextant analyze --fail-on`, dashboards)
// match on it. Istio's codes (IST0xxx) are reused, with Istio's names and
// levels, where our check is the same as Istio's; checks of our own use the
// SXT1xxx range. README.md documents every code (a test checks that).

/** Message levels, as Istio names them; a const object rather than an enum. */
export const Level = {
  Error: 'Error',
  Warning: 'Warning',
  Info: 'Info',
} as const;
export type Level = (typeof Level)[keyof typeof Level];

/** Severity order: lower is more severe. */
export const LEVEL_ORDER: Record<Level, number> = { Error: 0, Warning: 1, Info: 2 };

export interface MessageType {
  readonly code: string;
  /** CamelCase name; Istio's name for IST codes. */
  readonly name: string;
  readonly level: Level;
  /** One sentence: what the message means. */
  readonly description: string;
}

const type = (code: string, name: string, level: Level, description: string): MessageType => ({ code, name, level, description });

export const MESSAGE_TYPES = {
  // ---- Istio's codes (pkg/config/analysis/msg/messages.yaml) ----
  IST0001: type('IST0001', 'InternalError', Level.Error, 'An analyzer failed; this is a bug in the analyzer, not in the configuration.'),
  IST0002: type('IST0002', 'Deprecated', Level.Warning, 'The configuration uses a deprecated field or form.'),
  IST0101: type('IST0101', 'ReferencedResourceNotFound', Level.Error, 'A resource, host, subset, selector or secret that the configuration refers to does not exist.'),
  IST0104: type('IST0104', 'GatewayPortNotOnWorkload', Level.Warning, 'A Gateway server listens on a port that none of the workloads it selects serves.'),
  IST0106: type('IST0106', 'SchemaValidationError', Level.Error, 'The document fails validation (schema, CEL rules or semantic checks).'),
  IST0107: type('IST0107', 'MisplacedAnnotation', Level.Warning, 'An Istio annotation is set on a kind of resource it does not apply to.'),
  IST0108: type('IST0108', 'UnknownAnnotation', Level.Warning, 'An annotation in an istio.io domain that Istio does not define.'),
  IST0109: type('IST0109', 'ConflictingMeshGatewayVirtualServiceHosts', Level.Error, 'Several VirtualServices bound to the mesh define the same host; which one sidecars use is undefined.'),
  IST0110: type('IST0110', 'ConflictingSidecarWorkloadSelectors', Level.Error, 'Several Sidecar resources select the same workload.'),
  IST0111: type('IST0111', 'MultipleSidecarsWithoutWorkloadSelectors', Level.Error, 'A namespace holds more than one Sidecar without a workload selector.'),
  IST0112: type('IST0112', 'VirtualServiceDestinationPortSelectorRequired', Level.Error, 'A gateway route sends to a service with several ports without naming the port.'),
  IST0113: type('IST0113', 'MTLSPolicyConflict', Level.Error, "A DestinationRule's client TLS mode contradicts the PeerAuthentication mode of the workloads it sends to."),
  IST0127: type('IST0127', 'NoMatchingWorkloadsFound', Level.Warning, 'A policy selects workloads, but no workload has the labels it selects.'),
  IST0128: type('IST0128', 'NoServerCertificateVerificationDestinationLevel', Level.Warning, 'A DestinationRule originates TLS without CA certificates, so the server certificate is not verified.'),
  IST0129: type('IST0129', 'NoServerCertificateVerificationPortLevel', Level.Warning, 'A port-level DestinationRule TLS setting originates TLS without CA certificates.'),
  IST0130: type('IST0130', 'VirtualServiceUnreachableRule', Level.Warning, 'A VirtualService rule can never apply: earlier rules take every request it matches.'),
  IST0131: type('IST0131', 'VirtualServiceIneffectiveMatch', Level.Info, 'One match of a VirtualService rule is covered by a match of an earlier rule.'),
  IST0132: type('IST0132', 'VirtualServiceHostNotFoundInGateway', Level.Warning, 'None of the hosts of a VirtualService is exposed by a Gateway it binds to.'),
  IST0133: type('IST0133', 'SchemaWarning', Level.Warning, 'The document is valid, with a validation warning.'),
  IST0134: type('IST0134', 'ServiceEntryAddressesRequired', Level.Warning, 'A ServiceEntry with a TCP port has no addresses and none can be allocated, so its traffic cannot be told apart.'),
  IST0138: type('IST0138', 'GatewayDuplicateCertificate', Level.Warning, 'Gateways on the same workloads serve the same certificate; HTTP/2 connection reuse may then give 404s.'),
  IST0140: type('IST0140', 'IngressRouteRulesNotAffected', Level.Warning, "A gateway route sends to a host whose mesh VirtualService splits it by subset; gateway traffic ignores that split."),
  IST0145: type('IST0145', 'ConflictingGateways', Level.Error, 'Gateways on the same workloads claim the same port and host in ways that cannot be merged.'),
  IST0173: type('IST0173', 'DestinationRuleSubsetNotSelectPods', Level.Error, 'A DestinationRule subset selects no workload of its host (requests to it fail with 503).'),
  IST0174: type('IST0174', 'UnknownDestinationRuleHost', Level.Warning, 'The host of a DestinationRule matches no service in the registry nor a ServiceEntry.'),

  // ---- Sextant's own checks ----
  SXT1001: type('SXT1001', 'DuplicateResource', Level.Info, 'The input defines the same resource more than once; the last definition is the one analysed.'),
  SXT1002: type('SXT1002', 'ShadowedGatewayVirtualServiceRoutes', Level.Warning, "VirtualServices merged on one gateway host have routes that shadow each other's, so the outcome depends on their order."),
  SXT1003: type('SXT1003', 'VirtualServiceHostNotFound', Level.Warning, 'A host of a VirtualService bound to the mesh matches no service in the registry nor a ServiceEntry.'),
  SXT1004: type('SXT1004', 'ConflictingDestinationRules', Level.Warning, 'DestinationRules for the same host in one namespace are merged, and part of one is ignored.'),
} as const satisfies Record<string, MessageType>;

export type MessageCode = keyof typeof MESSAGE_TYPES;

export const ALL_MESSAGE_CODES = Object.keys(MESSAGE_TYPES) as MessageCode[];

export function messageType(code: MessageCode): MessageType {
  return MESSAGE_TYPES[code];
}

export function isMessageCode(code: string): code is MessageCode {
  return Object.hasOwn(MESSAGE_TYPES, code);
}
