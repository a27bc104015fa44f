// Istio's own integration-test configuration (tests/testdata/config, read
// by path) translates for a sidecar and a gateway without throwing, and
// what comes out encodes and names no missing cluster.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { danglingClusterReferences } from '../src/consistency';
import { generateProxyConfig } from '../src/configgen';
import { encodeEnvoy, RESOURCE_TYPES } from './envoy-proto';
import { buildPush, grpcClient, ISTIO_SAMPLES, loadConfigs, router, sidecar } from './fixtures';

const DIR = join(ISTIO_SAMPLES, '../istio-testdata/config');

describe("Istio's test configs translate", () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    it(file, () => {
      const push = buildPush('bookinfo.yaml', loadConfigs(join(DIR, file)));
      for (const proxy of [sidecar(push, '10.10.0.1'), router({ istio: 'ingressgateway' }), router({ istio: 'egressgateway' }), grpcClient()]) {
        const config = generateProxyConfig(push, proxy);
        for (const kind of ['listeners', 'routes', 'clusters', 'endpoints'] as const) for (const r of config[kind] as object[]) encodeEnvoy(RESOURCE_TYPES[kind], r);
        expect(danglingClusterReferences(config)).toEqual([]);
      }
    });
  }
});
