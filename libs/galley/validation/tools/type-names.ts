// Names for the object types found in Istio's CRD schemas, keyed by
// `Kind:field.path` (`[]` marks array items, `{}` map values). The CRD schemas
// carry no message names, so this table gives each structure the name of the
// Istio API message it comes from. Structurally identical schemas share one
// name; a structure met in several places needs only one of its paths here.
// A structure missing from this table gets a name made from its path, and the
// generator says so: add a line here when Istio adds a message.

export const TYPE_NAMES: Readonly<Record<string, string>> = {
  // VirtualService
  'VirtualService:spec': 'VirtualServiceSpec',
  'VirtualService:spec.http[]': 'HTTPRoute',
  'VirtualService:spec.http[].match[]': 'HTTPMatchRequest',
  'VirtualService:spec.http[].match[].uri': 'StringMatch',
  'VirtualService:spec.http[].route[]': 'HTTPRouteDestination',
  'VirtualService:spec.http[].mirror': 'Destination',
  'VirtualService:spec.http[].mirror.port': 'PortSelector',
  'VirtualService:spec.http[].mirrors[]': 'HTTPMirrorPolicy',
  'VirtualService:spec.http[].mirrorPercentage': 'Percent',
  'VirtualService:spec.http[].headers': 'Headers',
  'VirtualService:spec.http[].headers.request': 'HeaderOperations',
  'VirtualService:spec.http[].corsPolicy': 'CorsPolicy',
  'VirtualService:spec.http[].delegate': 'Delegate',
  'VirtualService:spec.http[].directResponse': 'HTTPDirectResponse',
  'VirtualService:spec.http[].directResponse.body': 'HTTPBody',
  'VirtualService:spec.http[].fault': 'HTTPFaultInjection',
  'VirtualService:spec.http[].fault.abort': 'HTTPFaultInjectionAbort',
  'VirtualService:spec.http[].fault.delay': 'HTTPFaultInjectionDelay',
  'VirtualService:spec.http[].redirect': 'HTTPRedirect',
  'VirtualService:spec.http[].retries': 'HTTPRetry',
  'VirtualService:spec.http[].rewrite': 'HTTPRewrite',
  'VirtualService:spec.http[].rewrite.uriRegexRewrite': 'RegexRewrite',
  'VirtualService:spec.tcp[]': 'TCPRoute',
  'VirtualService:spec.tcp[].match[]': 'L4MatchAttributes',
  'VirtualService:spec.tcp[].route[]': 'RouteDestination',
  'VirtualService:spec.tls[]': 'TLSRoute',
  'VirtualService:spec.tls[].match[]': 'TLSMatchAttributes',

  // DestinationRule
  'DestinationRule:spec': 'DestinationRuleSpec',
  'DestinationRule:spec.subsets[]': 'Subset',
  'DestinationRule:spec.trafficPolicy': 'TrafficPolicy',
  'DestinationRule:spec.trafficPolicy.connectionPool': 'ConnectionPoolSettings',
  'DestinationRule:spec.trafficPolicy.connectionPool.http': 'ConnectionPoolHTTPSettings',
  'DestinationRule:spec.trafficPolicy.connectionPool.http.http2KeepAlive': 'HTTP2KeepAlive',
  'DestinationRule:spec.trafficPolicy.connectionPool.tcp': 'ConnectionPoolTCPSettings',
  'DestinationRule:spec.trafficPolicy.connectionPool.tcp.tcpKeepalive': 'TcpKeepalive',
  'DestinationRule:spec.trafficPolicy.loadBalancer': 'LoadBalancerSettings',
  'DestinationRule:spec.trafficPolicy.loadBalancer.backendUtilization': 'BackendUtilizationSettings',
  'DestinationRule:spec.trafficPolicy.loadBalancer.consistentHash': 'ConsistentHashLB',
  'DestinationRule:spec.trafficPolicy.loadBalancer.consistentHash.httpCookie': 'HTTPCookie',
  'DestinationRule:spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.attributes[]': 'HTTPCookieAttribute',
  'DestinationRule:spec.trafficPolicy.loadBalancer.consistentHash.maglev': 'MagLev',
  'DestinationRule:spec.trafficPolicy.loadBalancer.consistentHash.ringHash': 'RingHash',
  'DestinationRule:spec.trafficPolicy.loadBalancer.localityLbSetting': 'LocalityLoadBalancerSetting',
  'DestinationRule:spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[]': 'LocalityDistribute',
  'DestinationRule:spec.trafficPolicy.loadBalancer.localityLbSetting.failover[]': 'LocalityFailover',
  'DestinationRule:spec.trafficPolicy.loadBalancer.warmup': 'WarmupConfiguration',
  'DestinationRule:spec.trafficPolicy.loadBalancer.zoneAwareLbSetting': 'ZoneAwareLoadBalancerSetting',
  'DestinationRule:spec.trafficPolicy.outlierDetection': 'OutlierDetection',
  'DestinationRule:spec.trafficPolicy.portLevelSettings[]': 'PortTrafficPolicy',
  'DestinationRule:spec.trafficPolicy.tls': 'ClientTLSSettings',
  'DestinationRule:spec.trafficPolicy.proxyProtocol': 'ProxyProtocol',
  'DestinationRule:spec.trafficPolicy.retryBudget': 'RetryBudget',
  'DestinationRule:spec.trafficPolicy.tunnel': 'TunnelSettings',

  // Gateway
  'Gateway:spec': 'GatewaySpec',
  'Gateway:spec.servers[]': 'Server',
  'Gateway:spec.servers[].port': 'Port',
  'Gateway:spec.servers[].tls': 'ServerTLSSettings',
  'Gateway:spec.servers[].tls.tlsCertificates[]': 'TLSCertificate',

  // ServiceEntry and WorkloadEntry
  'ServiceEntry:spec': 'ServiceEntrySpec',
  'ServiceEntry:spec.ports[]': 'ServicePort',
  'ServiceEntry:spec.workloadSelector': 'NetworkingWorkloadSelector',
  'WorkloadEntry:spec': 'WorkloadEntrySpec',

  // Sidecar
  'Sidecar:spec': 'SidecarSpec',
  'Sidecar:spec.egress[]': 'IstioEgressListener',
  'Sidecar:spec.egress[].port': 'SidecarPort',
  'Sidecar:spec.ingress[]': 'IstioIngressListener',
  'Sidecar:spec.outboundTrafficPolicy': 'OutboundTrafficPolicy',

  // Security
  'PeerAuthentication:spec': 'PeerAuthenticationSpec',
  'PeerAuthentication:spec.mtls': 'PeerAuthenticationMutualTLS',
  'PeerAuthentication:spec.selector': 'WorkloadSelector',
  'AuthorizationPolicy:spec': 'AuthorizationPolicySpec',
  'AuthorizationPolicy:spec.provider': 'ExtensionProvider',
  'AuthorizationPolicy:spec.rules[]': 'Rule',
  'AuthorizationPolicy:spec.rules[].from[]': 'RuleFrom',
  'AuthorizationPolicy:spec.rules[].from[].source': 'Source',
  'AuthorizationPolicy:spec.rules[].to[]': 'RuleTo',
  'AuthorizationPolicy:spec.rules[].to[].operation': 'Operation',
  'AuthorizationPolicy:spec.rules[].when[]': 'AuthorizationCondition',
  'AuthorizationPolicy:spec.targetRef': 'PolicyTargetReference',
  'RequestAuthentication:spec': 'RequestAuthenticationSpec',
  'RequestAuthentication:spec.jwtRules[]': 'JWTRule',
  'RequestAuthentication:spec.jwtRules[].fromHeaders[]': 'JWTHeader',
  'RequestAuthentication:spec.jwtRules[].outputClaimToHeaders[]': 'ClaimToHeader',
};
