// `sextant analyze` as a user runs it: offline on files (exit codes, output
// forms, --fail-on), then against a local mesh (`up -d`, external NATS, an
// echo workload) whose registry and stored configuration join the analysis.
import { connect } from '@nats-io/transport-node';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '@sextant/config-store';
import { BUCKETS, openBucket } from '@sextant/nats';
import { validateFiles } from '@sextant/validation';
import { spawnNatsServer, type SpawnedNats } from '@sextant/util';
import { tempDir } from '@sextant/testing';
import { sextant } from './harness';

const home = tempDir('sextant-analyze-');
const env = { SEXTANT_HOME: home.path } as Record<string, string>;
const path = (name: string, text: string) => {
  const p = join(home.path, name);
  writeFileSync(p, text);
  return p;
};

const vs = (name: string, host: string, extra = '') => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name} }
spec:
  hosts: [${host}]
${extra}  http:
  - route:
    - destination: { host: ${host} }
---
`;

/** A local workloads file (as `sextant up -w` takes) used as the registry offline. */
const BOOKINFO_WORKLOADS = path(
  'bookinfo-workloads.yaml',
  `workloads:
  - { name: productpage-v1, service: productpage, labels: { app: productpage, version: v1 }, ports: [{ name: http, port: 9080, protocol: HTTP }], app: productpage }
  - { name: details-v1, service: details, labels: { app: details, version: v1 }, ports: [{ name: http, port: 9080, protocol: HTTP }], app: details }
  - { name: reviews-v1, service: reviews, labels: { app: reviews, version: v1 }, ports: [{ name: http, port: 9080, protocol: HTTP }], app: reviews }
  - { name: reviews-v2, service: reviews, labels: { app: reviews, version: v2 }, ports: [{ name: http, port: 9080, protocol: HTTP }], app: reviews }
  - { name: ratings-v1, service: ratings, labels: { app: ratings, version: v1 }, ports: [{ name: http, port: 9080, protocol: HTTP }], app: ratings }
`,
);

const BAD = `${vs('reviews', 'reviews', '  gateways: [bookinfo-gatewy]\n')}apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v9, labels: { version: v9 } }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ratings }
spec:
  hosts: [ratings]
  http:
  - route:
    - destination: { host: ratingz, subset: v1 }
  - route:
    - destination: { host: ratings }
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: broken }
spec:
  selector: { istio: ingressgateway }
  servers: []
`;

const CLEAN = `${vs('reviews', 'reviews')}apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
`;

const ONLY_WARNINGS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: details }
spec:
  hosts: [details]
  http:
  - route:
    - destination: { host: details }
  - match:
    - uri: { prefix: /api }
    route:
    - destination: { host: details }
`;

describe('sextant analyze, offline', () => {
  it('exits 1 on errors, one istioctl-style line per message, IST0106 for invalid documents', () => {
    const r = sextant(['analyze', '--offline', '-w', BOOKINFO_WORKLOADS, '-f', path('bad.yaml', BAD)], env);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain(`Error [IST0101] (VirtualService default/ratings ${join(home.path, 'bad.yaml')}#2) Referenced host not found: "ratingz" at spec.http[0].route[0].destination.host`);
    const codes = lines.map((l) => /\[(\w+)\]/.exec(l)?.[1]).filter(Boolean);
    expect(codes.sort()).toEqual(['IST0101', 'IST0101', 'IST0101', 'IST0106', 'IST0130', 'IST0173']);
    expect(r.stdout).toMatch(/\[IST0101\] \(VirtualService default\/reviews .*bad\.yaml#0\) Referenced gateway not found: "bookinfo-gatewy" at spec\.gateways\[0\]/);
    expect(r.stdout).toMatch(/\[IST0101\] \(VirtualService default\/ratings .*\) Referenced host\+subset in destinationrule not found: "ratingz\+v1"/);
    expect(r.stdout).toMatch(/Error \[IST0106\] \(Gateway default\/broken .*bad\.yaml#3\) Schema validation error: /);
    expect(r.stdout).toMatch(/Error \[IST0173\] \(DestinationRule default\/reviews .*\) Subset "v9" \(version=v9\) selects no workload of reviews/);
    expect(lines.slice(-3)).toEqual([
      'Error: analyzers found 5 errors, 1 warning, 0 info messages when analyzing namespace: default.',
      'Analyzed 3 resources from 1 file; registry: 4 services, 6 workloads, secrets unknown.',
      'Skipped 1 analyzer that needs unknown inputs (secrets): gateway.SecretAnalyzer.',
    ]);
    expect(r.stderr).toBe('');
  });

  it('exits 0 on a clean set, saying so, and reports the analyzers it could not run without a registry', () => {
    const withRegistry = sextant(['analyze', '--offline', '-w', BOOKINFO_WORKLOADS, '-f', path('clean.yaml', CLEAN)], env);
    expect(withRegistry.code).toBe(0);
    expect(withRegistry.stdout.split('\n')[0]).toBe('No validation issues found when analyzing namespace: default.');
    const alone = sextant(['analyze', '--offline', '-f', path('clean.yaml', CLEAN)], env);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toContain('No validation issues found when analyzing namespace: default.');
    expect(alone.stdout).toMatch(/Skipped \d+ analyzers that need unknown inputs \(services, workloads, secrets\): virtualservice\.DestinationHostAnalyzer/);
  });

  it('exits 1 on warnings only with --fail-on warning', () => {
    const file = path('warn.yaml', ONLY_WARNINGS);
    const dflt = sextant(['analyze', '--offline', '-w', BOOKINFO_WORKLOADS, '-f', file], env);
    expect(dflt.code).toBe(0);
    expect(dflt.stdout).toMatch(/^Warning \[IST0130\] \(VirtualService default\/details .*warn\.yaml#0\) VirtualService rule #1 is never used/);
    const strict = sextant(['analyze', '--offline', '-w', BOOKINFO_WORKLOADS, '--fail-on', 'warning', '-f', file], env);
    expect(strict.code).toBe(1);
  });

  it('prints JSON with -o json, scopes by namespace, and refuses bad usage with exit 2', () => {
    const r = sextant(['analyze', '--offline', '-w', BOOKINFO_WORKLOADS, '-o', 'json', '-A', '-f', path('bad.yaml', BAD)], env);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { namespace: string | null; counts: { errors: number }; messages: { code: string; level: string; origin: { file: string; index: number }; path?: string }[] };
    expect(out.namespace).toBeNull();
    expect(out.counts.errors).toBe(5);
    expect(out.messages[0]).toMatchObject({ level: 'Error', origin: { file: expect.stringContaining('bad.yaml') } });
    const other = sextant(['analyze', '--offline', '-w', BOOKINFO_WORKLOADS, '-n', 'shop', '-f', path('bad.yaml', BAD)], env);
    expect(other.code).toBe(1); // documents without a namespace land in the one asked for
    expect(other.stdout).toContain('(VirtualService shop/ratings');
    expect(sextant(['analyze', '--offline', '--fail-on', 'info', '-f', path('clean.yaml', CLEAN)], env).code).toBe(2);
    const nothing = sextant(['analyze', '--offline'], env);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to analyse');
  });

  it('lists its analyzers', () => {
    const r = sextant(['analyze', '--list-analyzers'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('virtualservice.DestinationHostAnalyzer [IST0101, IST0112]');
  });
});

describe('sextant analyze against a running local mesh', () => {
  let nats: SpawnedNats;
  const WORKLOADS = `
workloads:
  - name: echo-v1
    service: echo
    labels: { app: echo, version: v1 }
    ports: [{ name: http, port: 18080, protocol: HTTP }]
    app: echo
`;

  beforeAll(async () => {
    nats = await spawnNatsServer({ dataDir: join(home.path, 'nats') });
    env['NATS_URL'] = nats.url;
    const up = sextant(['up', '-d', '-w', path('echo.yaml', WORKLOADS)], env);
    expect(up.code, up.stderr + up.stdout).toBe(0);
  }, 90_000);

  afterAll(async () => {
    sextant(['down'], env);
    await nats?.stop();
    home.remove();
  });

  it('finds a host that only the live registry knows', () => {
    const file = path('echo-vs.yaml', vs('echo', 'echo'));
    const live = sextant(['analyze', '-f', file], env);
    expect(live.code, live.stdout + live.stderr).toBe(0);
    expect(live.stdout).toContain('No validation issues found when analyzing namespace: default.');
    expect(live.stdout).toMatch(/registry: \d+ services?, \d+ workloads/); // at least echo-v1-0 and the mesh's ingress gateway
    const offline = sextant(['analyze', '--offline', '-w', BOOKINFO_WORKLOADS, '-f', file], env);
    expect(offline.code).toBe(1);
    expect(offline.stdout).toContain('Referenced host not found: "echo"');
  });

  it('reports a missing host, and a problem in the stored configuration with no files at all', async () => {
    const missing = sextant(['analyze', '-f', path('echoz-vs.yaml', vs('echoz', 'echoz'))], env);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/Error \[IST0101\] \(VirtualService default\/echoz .*echoz-vs\.yaml#0\) Referenced host not found: "echoz"/);

    const nc = await connect({ servers: nats.url });
    try {
      const stored = validateFiles([{ file: 'stored.yaml', content: Buffer.from(vs('stored', 'echo').replace('destination: { host: echo }', 'destination: { host: echo, subset: v2 }')) }]);
      expect(stored.valid).toBe(true);
      await new ConfigStore({ kv: await openBucket(nc, BUCKETS.config) }).apply(stored.resources.map((d) => d.resource));
    } finally {
      await nc.close();
    }
    const fromMesh = sextant(['analyze'], env);
    expect(fromMesh.code).toBe(1);
    expect(fromMesh.stdout).toContain('Error [IST0101] (VirtualService default/stored) Referenced host+subset in destinationrule not found: "echo+v2" at spec.http[0].route[0].destination.subset');
    expect(fromMesh.stdout).toMatch(/Analyzed 1 resource stored in the mesh; registry: \d+ services?/);
    // A file that fixes the stored resource replaces it in the analysis.
    const fixed = sextant(['analyze', '-f', path('fix.yaml', vs('stored', 'echo'))], env);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('(1 replaced by the files)');
  });
});
