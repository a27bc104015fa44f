// The markdown page of the Pilot scale benchmark (docs/benchmarks/pilot.md).
import { cpus, loadavg } from 'node:os';

export interface ReportInput {
  services: number;
  clients: number;
  namespaces: number;
  changes: number;
  pinned: boolean;
  results: { scenario: 'scoped' | 'full'; summary: Record<string, number>; runs: { p50: number; p99: number; max: number; cpu: number; clientCpu: number; responses: number; types: Record<string, number> }[] }[];
}

const ok = (v: boolean) => (v ? 'met' : '**missed**');

function scenarioText(scenario: 'scoped' | 'full', r: ReportInput): string {
  return scenario === 'scoped'
    ? `**scoped**: each of the ${r.namespaces} application namespaces has a Sidecar resource (egress \`./*\` and \`common/*\`), Istio's advice for meshes this size; ${Math.round(r.services / 20)} services live in \`common\`, the changed VirtualService among them, so every sidecar receives the change; a sidecar sees about ${Math.round(r.services / 20 + (r.services - r.services / 20) / r.namespaces)} services`
    : `**full mesh**: no Sidecar resources; every sidecar sees all ${r.services} services, so RouteConfiguration \`8080\` holds ${r.services} virtual hosts and every change resends it to every sidecar (the worst case)`;
}

export function markdown(r: ReportInput): string {
  const rows = r.results.map(({ scenario, summary: s }) => {
    const name = scenario === 'scoped' ? 'scoped (Sidecar per namespace)' : 'full mesh (no Sidecar)';
    return [
      `| ${name}: VirtualService change ACKed by all ${r.clients} sidecars, p50 / p99 / max | ${s['p50']} / ${s['p99']} / ${s['max']} ms | p99 <= 1000 ms | ${ok(s['p99']! <= 1000)} | — |`,
      `| ${name}: Pilot RSS synced (peak) | ${s['rssSynced']!.toFixed(0)} MB (${s['rssPeak']!.toFixed(0)} MB) | <= 500 MB | ${ok(s['rssPeak']! <= 500)} | istiod: 1.5 GB |`,
      `| ${name}: Pilot CPU per change; idle with ${r.clients} streams | ${s['cpuPerChange']!.toFixed(2)} CPU-s; ${(s['idleCpu']! * 100).toFixed(1)} % | — | | istiod: 1 vCPU |`,
    ].join('\n');
  });
  const details = r.results.map(({ scenario, summary: s, runs }) => `### ${scenario === 'scoped' ? 'Scoped' : 'Full mesh'}

${scenarioText(scenario, r)}.

- Pilot ready with ${r.services} services ${s['readyMs']} ms after start; all ${r.clients} sidecars synced (CDS, EDS, LDS, RDS ACKed) in ${s['syncMs']} ms (${s['syncCpu']!.toFixed(1)} Pilot CPU-s).
- Response sizes per sidecar: CDS ${s['cdsKb']} KB, RDS ${s['rdsKb']} KB; distinct translations (cache entries) ${s['cacheEntries']}; connected streams (pilot_xds) ${s['connected']}; stream errors ${s['errors']}.
- Pilot RSS after the changes ${s['rssAfter']!.toFixed(0)} MB.

| change | p50 ms | p99 ms | max ms | Pilot CPU-s | sidecars' CPU-s | responses (by type) |
| --- | --- | --- | --- | --- | --- | --- |
${runs.map((x, i) => `| ${i + 1} | ${x.p50} | ${x.p99} | ${x.max} | ${x.cpu.toFixed(2)} | ${x.clientCpu.toFixed(2)} | ${x.responses} (${Object.entries(x.types).map(([t, n]) => `${t} ${n}`).join(', ')}) |`).join('\n')}
`);
  return `# Pilot scale benchmark

\`tools/bench/pilot-scale.ts\`; run: \`node tools/build.mjs pilot && npx tsx --tsconfig tsconfig.base.json tools/bench/pilot-scale.ts\`
(\`--scenario scoped|full|both\`, \`--services\`, \`--clients\`, \`--changes\`, \`--cpu-prof DIR\`).

**Mesh**: ${r.services} services (ServiceEntries, MESH_INTERNAL, STATIC, one HTTP port 8080, two endpoints each) over ${r.namespaces} namespaces;
one in ten with a DestinationRule (2 subsets) and a VirtualService (header match + weighted split).
**Clients**: ${r.clients} simulated Envoy sidecars (\`tools/bench/pilot-clients.ts\`, a separate process): raw SotW ADS streams over
@grpc/grpc-js with the loaded AggregatedDiscoveryService definition, distinct node ids and IPs, ${r.clients / r.namespaces} per namespace;
wildcard CDS and LDS, then EDS and RDS for the names those carry; every response ACKed with its version and nonce, as Envoy does;
HTTP/2 windows of 16 MiB (Envoy's default is 256 MiB).
**Measured**: from writing a changed VirtualService to the \`sextant_config\` bucket (as Galley does) to each sidecar's last ACK of what
the change caused, over every sidecar and ${r.changes} changes (full mesh: ${Math.min(r.changes, 3)}); Pilot's own \`pilot_proxy_convergence_time\` agrees. Pilot at its
defaults (debounce 100 ms quiet / 10 s max, push batch 100).

## Result against DESIGN.md §6

| what | Sextant Pilot | target | | Istio's published figure |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

Istio's figure (istiod with 1000 services and 2000 sidecars: 1 vCPU, 1.5 GB) is quoted from Istio's performance and scalability
page, not measured here.

## Details

${details.join('\n')}
## Where the time goes

Profiled with \`--cpu-prof\` (Pilot) at this scale. A change costs Pilot little to compute: the PushContext is built in
tens of ms, translation runs once per cache key (one per namespace here, not per sidecar) and only for the kinds the
change touches (a VirtualService change rebuilds listeners and routes; clusters and endpoints stay the same objects),
and every distinct resource is encoded once and shared by every sidecar that gets it. What remains is per sidecar and
per byte: a SotW response carries the whole RouteConfiguration of the port, each response is copied twice on its way
out (the cached-Any concatenation, then grpc-js framing) and written through HTTP/2, and each ACK is decoded and
matched. So the push time grows with sidecars x RouteConfiguration size: about 90 KB per sidecar when Sidecar
resources scope what a namespace sees, about 600 KB per sidecar in the full mesh (1.2 GB per change for 2000
sidecars).

Fixed from profiles during this work: translation per proxy (now per cache key), re-encoding and re-hashing of
unchanged resources (interned across keys and pushes), per-sidecar consistency checks (one snapshot object per key,
checked once), the protobuf walk per response (cached wire bytes per Any), per-stream copies of the endpoint map,
all-at-once fan-out (pushes go out in batches of 100 per event-loop turn, so ACKs flow while later batches are built),
and HTTP/2 flow control pacing (the simulated sidecars open 16 MiB windows, as Envoy's are large).

What remains: the full mesh misses the target by an order of magnitude in time and memory (buffers of responses in
flight, and per-stream subscription state for about 1000 EDS names). Ways forward: Sidecar scoping (what Istio advises
for meshes this size, and what the scoped run does), delta xDS with virtual-host discovery so a change sends one
virtual host instead of the whole route table, a response path that does not copy the payload per stream, and more
than one core. The simulated sidecars share one process and one core; their own CPU per change (reported above as
sidecars' CPU) is inside the measured latency, where real Envoys work in parallel. Machine load from other work moves
the numbers by tens of percent between runs.

## Conditions

${new Date().toISOString().slice(0, 10)}; ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores shared with other engineers' builds, tests and benchmarks
(load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} when the run ended); Node ${process.version}; NATS 2.9 on the same machine;
Pilot ${r.pinned ? 'pinned to CPU 0 and the simulated sidecars to CPU 1 (taskset)' : 'not pinned'}.
`;
}
