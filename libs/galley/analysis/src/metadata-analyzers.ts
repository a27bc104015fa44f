// Checks on the input and on metadata: resources defined twice, and
// annotations in Istio's domains that Istio does not define or that belong on
// another kind of object.
import type { Analyzer } from './analyzer';
import { SUPPRESS_ANNOTATION } from './context';

export const duplicateResourceAnalyzer: Analyzer = {
  name: 'input.DuplicateResourceAnalyzer',
  description: 'Reports resources the input defines more than once (the last definition is the one analysed)',
  inputs: [],
  codes: ['SXT1001'],
  analyze(ctx) {
    for (const d of ctx.duplicates) {
      const where = d.replaced.map((l) => (l.file !== undefined ? `${l.file}${l.index !== undefined ? `#${l.index}` : ''}` : '(input)'));
      ctx.report('SXT1001', d.kept, `Also defined in ${where.join(', ')}; this later definition replaces ${d.replaced.length === 1 ? 'it' : 'them'}, as applying the files in order would`);
    }
  },
};

/** Annotations Istio defines, by the kinds of object they apply to (`Any`: every kind). */
const KNOWN_ANNOTATIONS: Record<string, readonly string[]> = {
  [SUPPRESS_ANNOTATION]: ['Any'],
  'install.operator.istio.io/chart-owner': ['Any'],
  'install.operator.istio.io/owner-generation': ['Any'],
  'install.operator.istio.io/version': ['Any'],
  'istio.io/dry-run': ['AuthorizationPolicy'],
  'istio.io/autoRegistrationGroup': ['WorkloadEntry'],
  'istio.io/workloadController': ['WorkloadEntry'],
  'istio.io/connectedAt': ['WorkloadEntry'],
  'istio.io/disconnectedAt': ['WorkloadEntry'],
  'istio.io/rev': ['Pod'],
  'networking.istio.io/exportTo': ['Service'],
  'networking.istio.io/traffic-distribution': ['Service'],
  'networking.istio.io/address-type': ['Gateway'],
  'networking.istio.io/service-type': ['Gateway'],
  'gateway.istio.io/service-account': ['Gateway'],
  'gateway.istio.io/controller-version': ['Gateway'],
  'prometheus.istio.io/merge-metrics': ['Pod'],
  'proxy.istio.io/config': ['Pod'],
  'proxy.istio.io/overrides': ['Pod'],
  'inject.istio.io/templates': ['Pod'],
  'ambient.istio.io/redirection': ['Pod'],
  'sidecar.istio.io/inject': ['Pod'],
  'sidecar.istio.io/status': ['Pod'],
  'sidecar.istio.io/rewriteAppHTTPProbers': ['Pod'],
  'sidecar.istio.io/proxyImage': ['Pod'],
  'sidecar.istio.io/proxyImageType': ['Pod'],
  'sidecar.istio.io/proxyCPU': ['Pod'],
  'sidecar.istio.io/proxyCPULimit': ['Pod'],
  'sidecar.istio.io/proxyMemory': ['Pod'],
  'sidecar.istio.io/proxyMemoryLimit': ['Pod'],
  'sidecar.istio.io/interceptionMode': ['Pod'],
  'sidecar.istio.io/bootstrapOverride': ['Pod'],
  'sidecar.istio.io/userVolume': ['Pod'],
  'sidecar.istio.io/userVolumeMount': ['Pod'],
  'sidecar.istio.io/enableCoreDump': ['Pod'],
  'sidecar.istio.io/logLevel': ['Pod'],
  'sidecar.istio.io/componentLogLevel': ['Pod'],
  'sidecar.istio.io/agentLogLevel': ['Pod'],
  'sidecar.istio.io/extraStatTags': ['Pod'],
  'sidecar.istio.io/statsHistogramBuckets': ['Pod'],
  'sidecar.istio.io/statsInclusionPrefixes': ['Pod'],
  'sidecar.istio.io/statsInclusionSuffixes': ['Pod'],
  'sidecar.istio.io/statsInclusionRegexps': ['Pod'],
  'status.sidecar.istio.io/port': ['Pod'],
  'readiness.status.sidecar.istio.io/initialDelaySeconds': ['Pod'],
  'readiness.status.sidecar.istio.io/periodSeconds': ['Pod'],
  'readiness.status.sidecar.istio.io/failureThreshold': ['Pod'],
  'readiness.status.sidecar.istio.io/applicationPorts': ['Pod'],
  'traffic.sidecar.istio.io/includeOutboundIPRanges': ['Pod'],
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': ['Pod'],
  'traffic.sidecar.istio.io/includeInboundPorts': ['Pod'],
  'traffic.sidecar.istio.io/excludeInboundPorts': ['Pod'],
  'traffic.sidecar.istio.io/includeOutboundPorts': ['Pod'],
  'traffic.sidecar.istio.io/excludeOutboundPorts': ['Pod'],
  'traffic.sidecar.istio.io/excludeInterfaces': ['Pod'],
  'traffic.sidecar.istio.io/kubevirtInterfaces': ['Pod'],
};

/** Is the annotation in one of Istio's domains? (`internal.istio.io` is Istio's own and checked by validation.) */
function istioDomain(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return false;
  const domain = key.slice(0, slash);
  return (domain === 'istio.io' || domain.endsWith('.istio.io')) && domain !== 'internal.istio.io';
}

const ANNOTATED_KINDS = ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'WorkloadEntry', 'PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication'] as const;

export const annotationAnalyzer: Analyzer = {
  name: 'annotations.K8sAnalyzer',
  description: 'Checks annotations in istio.io domains: unknown ones, and ones that apply to other kinds of object',
  inputs: ANNOTATED_KINDS,
  codes: ['IST0107', 'IST0108'],
  analyze(ctx) {
    for (const kind of ANNOTATED_KINDS) {
      for (const located of ctx.of(kind)) {
        for (const key of Object.keys(located.resource.metadata.annotations ?? {})) {
          if (!istioDomain(key)) continue;
          const path = `metadata.annotations[${key}]`;
          const applies = KNOWN_ANNOTATIONS[key];
          if (!applies) ctx.report('IST0108', located, `Unknown annotation: ${key}`, path);
          else if (!applies.includes('Any') && !applies.includes(kind)) ctx.report('IST0107', located, `Misplaced annotation: ${key} applies to ${applies.join(', ')}, not to ${kind}`, path);
        }
      }
    }
  },
};

export const serviceEntryAddressAnalyzer: Analyzer = {
  name: 'serviceentry.ProtocolAddressesAnalyzer',
  description: 'Warns when a ServiceEntry has a TCP port (or one without protocol) but no addresses, and none can be allocated',
  inputs: ['ServiceEntry'],
  codes: ['IST0134'],
  analyze(ctx) {
    for (const located of ctx.of('ServiceEntry')) {
      const se = located.resource.spec;
      if ((se.addresses ?? []).length) continue;
      const resolution = se.resolution ?? 'NONE';
      const wildcard = (se.hosts ?? []).some((h) => h.startsWith('*'));
      if (ctx.options.autoAllocateAddresses && resolution !== 'NONE' && !wildcard) continue;
      const why = !ctx.options.autoAllocateAddresses ? 'address allocation is off' : wildcard ? 'wildcard hosts get no address' : 'resolution NONE gets no address';
      (se.ports ?? []).forEach((p, i) => {
        const protocol = (p.protocol ?? '').toUpperCase();
        if (protocol !== '' && protocol !== 'TCP') return;
        ctx.report('IST0134', located, `ServiceEntry addresses are required for port ${p.number} (${p.protocol ?? 'no protocol'}): without them its TCP traffic cannot be told apart from other services on that port (${why})`, `spec.ports[${i}]`);
      });
    }
  },
};
