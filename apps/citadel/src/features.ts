import { defineSettings } from '@sextant/util';

const HOUR = 3_600_000;

export const CITADEL_SETTINGS = defineSettings({
  grpcPort: { kind: 'port', env: 'CITADEL_GRPC_PORT', flag: 'grpc-port', default: 8060, description: 'certificate signing API (istio.v1.auth.IstioCertificateService)' },
  trustDomain: { kind: 'string', env: 'CITADEL_TRUST_DOMAIN', flag: 'trust-domain', default: 'cluster.local', description: 'SPIFFE trust domain' },
  certTtl: { kind: 'duration', env: 'CITADEL_CERT_TTL', flag: 'cert-ttl', default: 24 * HOUR, description: 'default workload certificate lifetime (when the CSR asks for none)' },
  maxCertTtl: { kind: 'duration', env: 'CITADEL_MAX_CERT_TTL', flag: 'max-cert-ttl', default: 7 * 24 * HOUR, description: 'longest workload certificate lifetime; longer requests are cut to it' },
  caCertsDir: {
    kind: 'string',
    env: 'CITADEL_CA_CERTS_DIR',
    flag: 'ca-certs-dir',
    default: '',
    description: 'plugged-in CA like Istio cacerts (ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem); empty: a self-signed root kept under <data-dir>/ca',
  },
  rootKeyType: { kind: 'enum', env: 'CITADEL_ROOT_KEY_TYPE', flag: 'root-key-type', default: 'ecdsa-p256', values: ['ecdsa-p256', 'rsa-2048'], description: 'key type of a new self-signed root (ECDSA P-256 signs ~10x faster than RSA 2048)' },
  rootTtl: { kind: 'duration', env: 'CITADEL_ROOT_TTL', flag: 'root-ttl', default: 10 * 365 * 24 * HOUR, description: 'lifetime of a new self-signed root' },
  rootOverlap: { kind: 'duration', env: 'CITADEL_ROOT_OVERLAP', flag: 'root-overlap', default: 8 * 24 * HOUR, description: 'how long a replaced root stays in the trust bundle after rotation (keep it above max-cert-ttl)' },
  tokenTtl: { kind: 'duration', env: 'CITADEL_TOKEN_TTL', flag: 'token-ttl', default: 15 * 60_000, description: 'default lifetime of a bootstrap token' },
  tokenMaxTtl: { kind: 'duration', env: 'CITADEL_TOKEN_MAX_TTL', flag: 'token-max-ttl', default: 24 * HOUR, description: 'longest bootstrap token lifetime a request may ask for' },
  tokenMaxUses: { kind: 'int', env: 'CITADEL_TOKEN_MAX_USES', flag: 'token-max-uses', default: 5, min: 1, max: 100, description: 'most CSRs one bootstrap token may authenticate (tokens are single-use unless the request asks for more)' },
  kubernetes: {
    kind: 'enum',
    env: 'CITADEL_KUBERNETES',
    flag: 'kubernetes',
    default: 'auto',
    values: ['auto', 'on', 'off'],
    description: 'authenticate service-account tokens with TokenReview (auto: when running in a cluster; on: in-cluster config or ~/.kube/config)',
  },
  tokenAudiences: { kind: 'list', env: 'CITADEL_TOKEN_AUDIENCES', flag: 'token-audiences', default: ['istio-ca'], description: 'audiences a Kubernetes token must carry (comma-separated; empty: any)' },
  adminAllowRemote: {
    kind: 'bool',
    env: 'CITADEL_ADMIN_ALLOW_REMOTE',
    flag: 'admin-allow-remote',
    default: false,
    description: 'let non-loopback callers use POST /ca/* on the admin port (they still need <data-dir>/admin.secret)',
  },
});
