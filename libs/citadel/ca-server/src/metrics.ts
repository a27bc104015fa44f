// Citadel's Prometheus metrics, registered once on the admin server's registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface CaMetrics {
  issued: Counter<'method'>;
  refused: Counter<'reason'>;
  signSeconds: Histogram;
  tokensIssued: Counter;
  bundleVersion: Gauge;
  rootRotations: Counter;
}

export function createCaMetrics(registry: Registry): CaMetrics {
  return {
    issued: new Counter({ name: 'citadel_certificates_issued_total', help: 'workload certificates signed, by how the caller authenticated', labelNames: ['method'], registers: [registry] }),
    refused: new Counter({ name: 'citadel_certificates_refused_total', help: 'certificate requests refused, by error code', labelNames: ['reason'], registers: [registry] }),
    signSeconds: new Histogram({
      name: 'citadel_certificate_sign_duration_seconds',
      help: 'time to validate a CSR and sign its certificate (after authentication)',
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers: [registry],
    }),
    tokensIssued: new Counter({ name: 'citadel_bootstrap_tokens_issued_total', help: 'bootstrap tokens issued', registers: [registry] }),
    bundleVersion: new Gauge({ name: 'citadel_trust_bundle_version', help: 'version of the trust bundle this Citadel holds', registers: [registry] }),
    rootRotations: new Counter({ name: 'citadel_root_rotations_total', help: 'root CA rotations done by this process', registers: [registry] }),
  };
}
