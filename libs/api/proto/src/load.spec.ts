import { describe, expect, it } from 'vitest';
import { adsServiceDefinition, certificateServiceDefinition, configServiceDefinition } from './load';

describe('service definitions', () => {
  it('loads Envoy ADS from @grpc/grpc-js-xds deps', () => {
    const ads = adsServiceDefinition();
    expect(Object.keys(ads.service)).toEqual(['StreamAggregatedResources', 'DeltaAggregatedResources']);
    expect(ads.service.StreamAggregatedResources.path).toBe(
      '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
    );
  });
  it("loads Galley's config API and the Istio-shaped CA API", () => {
    expect(Object.keys(configServiceDefinition().service)).toContain('Apply');
    expect(certificateServiceDefinition().service.CreateCertificate.path).toBe(
      '/istio.v1.auth.IstioCertificateService/CreateCertificate',
    );
  });
});
