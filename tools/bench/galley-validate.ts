#!/usr/bin/env -S npx tsx --tsconfig tsconfig.base.json
// Galley benchmark: validation throughput over 10,000 resources of a
// realistic mix of kinds (decode + validate, and validate alone), and apply
// throughput through the gRPC config API into NATS KV (the built app and a
// real nats-server): one resource per call, and batches.
//
//   node tools/build.mjs galley
//   npx tsx --tsconfig tsconfig.base.json tools/bench/galley-validate.ts [--count 10000] [--applies 2000] [--out docs/benchmarks/galley.md]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { ConfigClient, validateManifests } from '@sextant/galley-api';
import { freePort, spawnNatsServer, waitFor } from '@sextant/util';
import { validateResource, warmUpSchemas } from '@sextant/validation';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const COUNT = Number(arg('count', '10000'));
const APPLIES = Number(arg('applies', '2000'));
const OUT = resolve(root, arg('out', 'docs/benchmarks/galley.md'));

// ---------------------------------------------------------------- the mix
type Doc = Record<string, unknown>;
const ns = (i: number) => `team-${i % 20}`;
const svc = (i: number) => `svc-${i % 500}`;

const MAKERS: [weight: number, kind: string, make: (i: number) => Doc][] = [
  [35, 'VirtualService', (i) => ({
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: `vs-${i}`, namespace: ns(i) },
    spec: {
      hosts: [svc(i)], gateways: i % 5 === 0 ? ['mesh', 'istio-system/ingress'] : undefined,
      http: [
        { name: 'canary', match: [{ headers: { 'end-user': { exact: `user-${i}` } }, uri: { prefix: '/api' } }], route: [{ destination: { host: svc(i), subset: 'v2' } }], timeout: '3s', retries: { attempts: 3, perTryTimeout: '1s', retryOn: '5xx,reset' } },
        { route: [{ destination: { host: svc(i), subset: 'v1' }, weight: 90 }, { destination: { host: svc(i), subset: 'v2' }, weight: 10 }], fault: i % 7 === 0 ? { delay: { percentage: { value: 1 }, fixedDelay: '100ms' } } : undefined },
      ],
    },
  })],
  [25, 'DestinationRule', (i) => ({
    apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: `dr-${i}`, namespace: ns(i) },
    spec: {
      host: svc(i),
      trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 64 } }, outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' }, tls: { mode: 'ISTIO_MUTUAL' } },
      subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } } }],
    },
  })],
  [10, 'ServiceEntry', (i) => ({
    apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: `se-${i}`, namespace: ns(i) },
    spec: { hosts: [`api-${i}.example.com`], ports: [{ number: 443, name: 'https', protocol: 'TLS' }], location: 'MESH_EXTERNAL', resolution: 'DNS' },
  })],
  [8, 'AuthorizationPolicy', (i) => ({
    apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: `ap-${i}`, namespace: ns(i) },
    spec: { selector: { matchLabels: { app: svc(i) } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns(i + 1)}/sa/client`] } }], to: [{ operation: { methods: ['GET', 'POST'], paths: ['/api/*'] } }] }] },
  })],
  [5, 'Gateway', (i) => ({
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: `gw-${i}`, namespace: ns(i) },
    spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: `https-${i}`, protocol: 'HTTPS' }, hosts: [`app-${i}.example.com`], tls: { mode: 'SIMPLE', credentialName: `cert-${i}` } }] },
  })],
  [5, 'Sidecar', (i) => ({
    apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: `sc-${i}`, namespace: ns(i) },
    spec: { workloadSelector: { labels: { app: svc(i) } }, egress: [{ hosts: ['./*', 'istio-system/*'] }] },
  })],
  [5, 'WorkloadEntry', (i) => ({
    apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name: `we-${i}`, namespace: ns(i) },
    spec: { address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, labels: { app: svc(i), version: 'v1' }, serviceAccount: 'vm' },
  })],
  [5, 'PeerAuthentication', (i) => ({
    apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: `pa-${i}`, namespace: ns(i) },
    spec: { selector: { matchLabels: { app: svc(i) } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } },
  })],
  [2, 'RequestAuthentication', (i) => ({
    apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: `ra-${i}`, namespace: ns(i) },
    spec: { selector: { matchLabels: { app: svc(i) } }, jwtRules: [{ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' }] },
  })],
];

function makeDocs(n: number, offset = 0): Doc[] {
  const total = MAKERS.reduce((s, [w]) => s + w, 0);
  const out: Doc[] = [];
  for (let i = 0; i < n; i++) {
    let slot = (i * 37) % total;
    const [, , make] = MAKERS.find(([w]) => (slot -= w) < 0)!;
    out.push(JSON.parse(JSON.stringify(make(i + offset))) as Doc); // drops undefined fields
  }
  return out;
}

const yamlOf = (docs: Doc[]) => docs.map((d) => stringify(d)).join('---\n');

interface Row {
  what: string;
  resources: number;
  seconds: number;
  note: string;
}
const rate = (r: Row) => Math.round(r.resources / r.seconds);

// ---------------------------------------------------------------- validation
function benchValidation(): Row[] {
  const docs = makeDocs(COUNT);
  const files = Array.from({ length: Math.ceil(COUNT / 100) }, (_, f) => ({ file: `bench-${f}.yaml`, content: yamlOf(docs.slice(f * 100, f * 100 + 100)) }));
  warmUpSchemas();
  validateManifests([{ file: 'warm.yaml', content: yamlOf(makeDocs(200, 1e6)) }]);
  const rows: Row[] = [];

  let t = performance.now();
  let valid = 0;
  for (const d of docs) if (validateResource(d, { file: 'bench' }).valid) valid++;
  rows.push({ what: 'validateResource (decoded objects)', resources: COUNT, seconds: (performance.now() - t) / 1000, note: `${valid}/${COUNT} valid` });

  t = performance.now();
  const result = validateManifests(files);
  rows.push({ what: 'decode YAML + validate (100 files x 100 documents)', resources: COUNT, seconds: (performance.now() - t) / 1000, note: `${result.resources.length}/${COUNT} valid, ${result.errors.length} errors` });
  if (valid !== COUNT || !result.valid) throw new Error(`the bench mix should be valid: ${result.errors.slice(0, 3).map((e) => e.reason).join('; ')}`);
  return rows;
}

// ---------------------------------------------------------------- apply via gRPC
async function benchApply(): Promise<Row[]> {
  const r = spawnSync(process.execPath, [join(root, 'tools/build.mjs'), 'galley'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'galley-bench-'));
  const nats = await spawnNatsServer({ dataDir: join(dir, 'nats') });
  const grpcPort = await freePort();
  const adminPort = await freePort();
  const galley: ChildProcess = spawn(process.execPath, [join(root, 'dist/apps/galley/main.js')], {
    cwd: root,
    env: { ...process.env, NATS_URL: nats.url, GALLEY_GRPC_PORT: String(grpcPort), SEXTANT_ADMIN_PORT: String(adminPort), SEXTANT_LOG_LEVEL: 'warn', SEXTANT_LOG_FORMAT: 'json', SEXTANT_DATA_DIR: join(dir, 'data') },
    stdio: 'ignore',
  });
  const client = new ConfigClient(`127.0.0.1:${grpcPort}`, 120_000);
  const rows: Row[] = [];
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${adminPort}/readyz`)).ok, { timeoutMs: 20_000, what: 'galley ready' });
    await client.waitReady(5_000);
    await client.apply({ manifest: yamlOf(makeDocs(50, 9e6)), source: 'warm.yaml' });

    const singles = makeDocs(APPLIES, 1e6).map((d) => stringify(d));
    let t = performance.now();
    for (const manifest of singles) await client.validate({ manifest, source: 'one.yaml' });
    rows.push({ what: 'Validate, 1 resource per call (round-trip floor, no KV)', resources: APPLIES, seconds: (performance.now() - t) / 1000, note: 'gRPC round trip + decode + validate in Galley' });

    t = performance.now();
    for (const manifest of singles) await client.apply({ manifest, source: 'one.yaml' });
    rows.push({ what: 'Apply, 1 resource per call, sequential', resources: APPLIES, seconds: (performance.now() - t) / 1000, note: 'validate + conditional KV create; one round trip each' });

    const concurrent = makeDocs(APPLIES, 2e6).map((d) => stringify(d));
    t = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < concurrent.length) await client.apply({ manifest: concurrent[next++]!, source: 'one.yaml' });
    }));
    rows.push({ what: 'Apply, 1 resource per call, 16 in flight', resources: APPLIES, seconds: (performance.now() - t) / 1000, note: 'writes are serialised in Galley (one batch at a time)' });

    for (const size of [100, 1000]) {
      const docs = makeDocs(COUNT, size === 100 ? 3e6 : 4e6);
      const batches = Array.from({ length: COUNT / size }, (_, b) => yamlOf(docs.slice(b * size, b * size + size)));
      t = performance.now();
      for (const manifest of batches) await client.apply({ manifest, source: 'batch.yaml' });
      rows.push({ what: `Apply, atomic batches of ${size}`, resources: COUNT, seconds: (performance.now() - t) / 1000, note: `${COUNT / size} calls; each entry marked with its batch` });
    }
    const listed = await client.list({});
    if (listed.resources.length < COUNT * 2) throw new Error(`expected at least ${COUNT * 2} stored, got ${listed.resources.length}`);
  } finally {
    client.close();
    galley.kill('SIGTERM');
    await new Promise((ok) => galley.once('exit', ok));
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function report(validation: Row[], apply: Row[]): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const natsVersion = spawnSync('nats-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const table = (rows: Row[]) =>
    ['| what | resources | seconds | resources/s | note |', '| --- | ---: | ---: | ---: | --- |', ...rows.map((r) => `| ${r.what} | ${r.resources} | ${r.seconds.toFixed(2)} | **${rate(r)}** | ${r.note} |`)].join('\n');
  const mix = MAKERS.map(([w, k]) => `${k} ${w}%`).join(', ');
  return `# Galley benchmark

Generated by \`tools/bench/galley-validate.ts\` on ${new Date().toISOString().slice(0, 10)}.

- Machine: ${cpus().length} CPU(s), ${cpu}; Node ${process.version}; ${natsVersion} (JetStream, file storage, one local server); load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (the machine is shared with other work).
- Mix of ${COUNT} resources: ${mix}; realistic specs (matches, retries, subsets, connection pools, TLS, rules), spread over 20 namespaces. Every one is valid.

## Validation (in-process, one thread)

${table(validation)}

"decode YAML + validate" is what \`sextant validate\` and every Galley entrance do: split and parse multi-document YAML with the hostile-input limits,
then the CRD schema (Ajv, with the CRDs' CEL rules), Istio's semantic checks and normalisation.

## Apply through the gRPC config API into NATS KV

${table(apply)}

Client and the built Galley (\`dist/apps/galley\`) on the same machine, over loopback. Each Apply validates every document again in Galley, reads the
current entries, checks resourceVersions and writes with conditional KV operations (create, or update at the revision read); a batch of n >= 2 carries
its batch mark on each entry so that watchers release it at once.

Reproduce: \`node tools/build.mjs galley && npx tsx --tsconfig tsconfig.base.json tools/bench/galley-validate.ts\`.
`;
}

const validation = benchValidation();
for (const r of validation) console.log(`${r.what}: ${rate(r)}/s`);
const apply = argv.includes('--no-apply') ? [] : await benchApply();
for (const r of apply) console.log(`${r.what}: ${rate(r)}/s`);
writeFileSync(OUT, report(validation, apply));
console.log(`wrote ${OUT}`);
