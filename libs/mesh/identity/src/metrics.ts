// What the agent reports about the workload's certificate (prom-client).
import { Counter, Gauge, type Registry } from 'prom-client';

export interface IdentityMetrics {
  /** kind: initial | rotation; method: bootstrap-token | renewal */
  issued: Counter<'kind' | 'method'>;
  /** stage: token | trust | sign | validate; code: Citadel's code or our reason */
  failures: Counter<'stage' | 'code'>;
  expiry: Gauge;
  roots: Gauge;
}

export function createIdentityMetrics(registry?: Registry): IdentityMetrics {
  const registers = registry ? [registry] : [];
  return {
    issued: new Counter({ name: 'sextant_workload_certificates_issued_total', help: 'workload certificates obtained from Citadel', labelNames: ['kind', 'method'], registers }),
    failures: new Counter({ name: 'sextant_workload_certificate_failures_total', help: 'failed attempts to obtain a workload certificate', labelNames: ['stage', 'code'], registers }),
    expiry: new Gauge({ name: 'sextant_workload_certificate_expiry_timestamp_seconds', help: 'notAfter of the workload certificate in use', registers }),
    roots: new Gauge({ name: 'sextant_workload_trust_roots', help: 'roots in the trust bundle the workload trusts', registers }),
  };
}
