import { defineSettings } from '@sextant/util';

export const CITADEL_SETTINGS = defineSettings({
  grpcPort: { kind: 'port', env: 'CITADEL_GRPC_PORT', flag: 'grpc-port', default: 8060, description: 'certificate signing API (istio.v1.auth.IstioCertificateService)' },
  trustDomain: { kind: 'string', env: 'CITADEL_TRUST_DOMAIN', flag: 'trust-domain', default: 'cluster.local', description: 'SPIFFE trust domain' },
  certTtl: { kind: 'duration', env: 'CITADEL_CERT_TTL', flag: 'cert-ttl', default: 86_400_000, description: 'default workload certificate lifetime' },
});
