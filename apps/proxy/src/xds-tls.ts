// Whether the proxy talks to Pilot over TLS, and with what. Convention
// (Istio's ports): `--xds-tls auto` (default) means TLS when the Pilot
// address ends in :15012 and the proxy has a workload certificate (Citadel
// is configured); `on` always (needs --citadel-address); `off` never.
// Pilot must present a certificate chained to the mesh roots that names
// `--pilot-identity` (default spiffe://<trust-domain>/ns/istio-system/sa/sextant-pilot).
import { ROOT_CA_SECRET, WORKLOAD_CERT_SECRET, type SecretProvider } from '@sextant/workload-identity';
import type { XdsTlsOptions } from '@sextant/xds-client';

export const PILOT_TLS_PORT = 15012;

export interface XdsTlsChoice {
  xdsTls: string;
  pilotAddress: string;
  pilotIdentity: string;
  trustDomain: string;
}

/** The TLS options for the xDS client, or undefined for plaintext; throws naming the setting when TLS cannot work. */
export function xdsTlsOptions(s: XdsTlsChoice, secrets: SecretProvider | undefined): XdsTlsOptions | undefined {
  const tlsPort = s.pilotAddress.endsWith(`:${PILOT_TLS_PORT}`);
  if (s.xdsTls === 'off' || (s.xdsTls === 'auto' && (!tlsPort || !secrets))) return undefined;
  if (!secrets) {
    throw new Error('xds-tls (PROXY_XDS_TLS) is on but the proxy has no workload certificate: set citadel-address (CITADEL_ADDRESS) and a bootstrap token');
  }
  return {
    serverIdentity: s.pilotIdentity || `spiffe://${s.trustDomain}/ns/istio-system/sa/sextant-pilot`,
    credentials: () => {
      const cert = secrets.get(WORKLOAD_CERT_SECRET);
      const roots = secrets.get(ROOT_CA_SECRET);
      if (cert?.kind !== 'tlsCertificate' || roots?.kind !== 'validationContext') return undefined;
      return { certChainPem: cert.certChainPem, privateKeyPem: cert.privateKeyPem, rootsPem: roots.trustedCaPem };
    },
  };
}
