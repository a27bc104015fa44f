import { describe, expect, it } from 'vitest';
import type { SecretProvider, SecretValue } from '@sextant/workload-identity';
import { xdsTlsOptions } from './xds-tls';

/** A provider holding what a WorkloadCertManager serves once it has a certificate (or nothing yet). */
function secrets(values: Record<string, SecretValue>): SecretProvider {
  return { get: (name) => values[name], onChange: () => () => {} };
}

const HELD = secrets({
  default: { kind: 'tlsCertificate', certChainPem: 'LEAF', privateKeyPem: 'KEY' },
  ROOTCA: { kind: 'validationContext', trustedCaPem: 'ROOTS' },
});
const base = { pilotIdentity: '', trustDomain: 'cluster.local' };

describe('xdsTlsOptions', () => {
  it("auto: TLS to Pilot's 15012 when the proxy has a certificate, plaintext otherwise", () => {
    const tls = xdsTlsOptions({ ...base, xdsTls: 'auto', pilotAddress: 'istiod.istio-system.svc:15012' }, HELD);
    expect(tls?.serverIdentity).toBe('spiffe://cluster.local/ns/istio-system/sa/sextant-pilot');
    expect(tls?.credentials()).toEqual({ certChainPem: 'LEAF', privateKeyPem: 'KEY', rootsPem: 'ROOTS' });
    expect(xdsTlsOptions({ ...base, xdsTls: 'auto', pilotAddress: '127.0.0.1:15010' }, HELD)).toBeUndefined();
    expect(xdsTlsOptions({ ...base, xdsTls: 'auto', pilotAddress: '127.0.0.1:15012' }, undefined)).toBeUndefined();
  });

  it('on: TLS on any port, with the configured Pilot identity; refuses to start without a certificate source', () => {
    const tls = xdsTlsOptions({ ...base, xdsTls: 'on', pilotAddress: '127.0.0.1:40123', pilotIdentity: 'spiffe://example.org/ns/cp/sa/pilot' }, HELD);
    expect(tls?.serverIdentity).toBe('spiffe://example.org/ns/cp/sa/pilot');
    expect(() => xdsTlsOptions({ ...base, xdsTls: 'on', pilotAddress: '127.0.0.1:15012' }, undefined)).toThrow(/xds-tls \(PROXY_XDS_TLS\) is on but .*citadel-address \(CITADEL_ADDRESS\)/);
  });

  it('off: plaintext even to 15012; no credentials until the certificate is in hand', () => {
    expect(xdsTlsOptions({ ...base, xdsTls: 'off', pilotAddress: '127.0.0.1:15012' }, HELD)).toBeUndefined();
    expect(xdsTlsOptions({ ...base, xdsTls: 'on', pilotAddress: '127.0.0.1:15012' }, secrets({}))?.credentials()).toBeUndefined();
  });
});
