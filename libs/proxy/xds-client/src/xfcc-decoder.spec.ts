// forward_client_cert_details: what the proxy does equals SANITIZE_SET, so the
// values Istio sets are accepted silently, and others are warned about once.
import { describe, expect, it } from 'vitest';
import { decodeEnvoyResource } from './decode-envoy';
import { httpListener } from './spec-fixtures';

function withFcc(port: number, fcc: string): object {
  const l = httpListener(port) as { filterChains: { filters: { typedConfig: Record<string, unknown> }[] }[] };
  l.filterChains[0]!.filters[0]!.typedConfig.forwardClientCertDetails = fcc;
  return l;
}

function fccWarnings(port: number, fcc: string): string[] {
  const d = decodeEnvoyResource('listener', withFcc(port, fcc));
  expect(d.result.valid, JSON.stringify(d.result)).toBe(true);
  return d.result.warnings.filter((w) => w.includes('forwardClientCertDetails'));
}

describe('forwardClientCertDetails', () => {
  it('accepts SANITIZE_SET (sidecars), APPEND_FORWARD (gateways) and SANITIZE without warnings, on every update', () => {
    for (let update = 0; update < 3; update++) {
      for (const fcc of ['SANITIZE_SET', 'APPEND_FORWARD', 'SANITIZE']) expect(fccWarnings(15001, fcc), fcc).toEqual([]);
    }
  });

  it('warns once per distinct unsupported value', () => {
    const first = fccWarnings(15002, 'FORWARD_ONLY');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatch(/filterChains.*forwardClientCertDetails: FORWARD_ONLY is not supported.*SANITIZE_SET/);
    expect(fccWarnings(15002, 'FORWARD_ONLY')).toEqual([]);
    expect(fccWarnings(15003, 'ALWAYS_FORWARD_ONLY')).toHaveLength(1);
    expect(fccWarnings(15003, 'ALWAYS_FORWARD_ONLY')).toEqual([]);
  });
});
