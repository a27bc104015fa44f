// The markdown page of the Pilot scale benchmark (docs/benchmarks/pilot.md).
import { cpus, loadavg } from 'node:os';

type Run = { kind?: 'vs' | 'endpoint'; p50: number; p99: number; max: number; cpu: number; clientCpu: number; responses: number; types: Record<string, number> };

export interface ReportInput {
  services: number;
  clients: number;
  namespaces: number;
  changes: number;
  /** Endpoint changes per scenario (default: as many as VirtualService changes). */
  endpointChanges?: number;
  pinned: boolean;
  /** What the baseline bundle is (set when the run compared against one). */
  baselineLabel?: string;
  results: { scenario: 'scoped' | 'full'; protocol?: string; summary: Record<string, number>; runs: Run[]; baseline?: { protocol?: string; summary: Record<string, number>; runs: Run[] } }[];
}

const ok = (v: boolean) => (v ? 'met' : '**missed**');

const PROTOCOL_TEXT: Record<string, string> = {
  delta: 'Delta ADS with VHDS',
  'delta-novhds': 'Delta ADS, whole route tables',
  sotw: 'SotW ADS',
};
const protocolText = (p: string | undefined) => PROTOCOL_TEXT[p ?? 'sotw'] ?? p ?? 'SotW ADS';

function scenarioText(scenario: 'scoped' | 'full', r: ReportInput): string {
  return scenario === 'scoped'
    ? `**scoped**: each of the ${r.namespaces} application namespaces has a Sidecar resource (egress \`./*\` and \`common/*\`), Istio's advice for meshes this size; ${Math.round(r.services / 20)} services live in \`common\`, the changed VirtualService among them, so every sidecar receives the change; a sidecar sees about ${Math.round(r.services / 20 + (r.services - r.services / 20) / r.namespaces)} services`
    : `**full mesh**: no Sidecar resources; every sidecar sees all ${r.services} services, so RouteConfiguration \`8080\` holds ${r.services} virtual hosts; without VHDS every change resends it to every sidecar (the worst case), with VHDS the changed virtual host alone goes out`;
}

const cpuText = (x: Record<string, number>) =>
  `${x['cpuPerChange']!.toFixed(2)}${x['epCpuPerChange'] !== undefined ? ` / ${x['epCpuPerChange'].toFixed(2)}` : ''} CPU-s; ${(x['idleCpu']! * 100).toFixed(1)} %`;

const KIND = { vs: 'VirtualService', endpoint: 'endpoint' } as const;

const runsTable = (runs: Run[]) => `| change | p50 ms | p99 ms | max ms | Pilot CPU-s | sidecars' CPU-s | responses (by type) |
| --- | --- | --- | --- | --- | --- | --- |
${runs.map((x, i) => `| ${i + 1}${x.kind ? ` (${KIND[x.kind]})` : ''} | ${x.p50} | ${x.p99} | ${x.max} | ${x.cpu.toFixed(2)} | ${x.clientCpu.toFixed(2)} | ${x.responses} (${Object.entries(x.types).map(([t, n]) => `${t} ${n}`).join(', ')}) |`).join('\n')}`;

const size = (bytes: number) => (bytes >= 10240 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`);
const facts = (r: ReportInput, s: Record<string, number>) => `- Pilot ready with ${r.services} services ${s['readyMs']} ms after start; all ${r.clients} sidecars synced (CDS, EDS, LDS, RDS${s['vhdsBytes'] ? ', VirtualHost' : ''} ACKed) in ${s['syncMs']} ms (${s['syncCpu']!.toFixed(1)} Pilot CPU-s).
- Response sizes per sidecar (mean over the run): CDS ${s['cdsKb']} KB, RDS ${s['rdsBytes'] !== undefined ? size(s['rdsBytes']) : `${s['rdsKb']} KB`}${s['vhdsBytes'] ? `, VirtualHost ${size(s['vhdsBytes'])}` : ''}; distinct translations (cache entries) ${s['cacheEntries']}; connected streams (pilot_xds) ${s['connected']}; stream errors ${s['errors']}.
- Pilot RSS after the changes ${s['rssAfter']!.toFixed(0)} MB; load average (1 min) ${s['loadStart']?.toFixed(1) ?? '?'} at the start of this scenario, ${s['loadEnd']?.toFixed(1) ?? '?'} at its end.`;

export function markdown(r: ReportInput): string {
  const compare = r.baselineLabel !== undefined;
  const rows = r.results.map(({ scenario, protocol, summary: s, baseline }) => {
    const name = `${scenario === 'scoped' ? 'scoped (Sidecar per namespace)' : 'full mesh (no Sidecar)'}, ${protocolText(protocol)}${compare && baseline?.protocol && baseline.protocol !== protocol ? ` (compared with ${protocolText(baseline.protocol)})` : ''}`;
    const b = baseline?.summary;
    const before = (text: (x: Record<string, number>) => string) => (compare ? ` ${b ? text(b) : '—'} |` : '');
    return [
      `| ${name}: VirtualService change ACKed by all ${r.clients} sidecars, p50 / p99 / max | ${s['p50']} / ${s['p99']} / ${s['max']} ms |${before((x) => `${x['p50']} / ${x['p99']} / ${x['max']} ms`)} p99 <= 1000 ms | ${ok(s['p99']! <= 1000)} | — |`,
      ...(s['epP99'] !== undefined
        ? [
            `| ${name}: endpoint change ACKed by all ${r.clients} sidecars, p50 / p99 / max | ${s['epP50']} / ${s['epP99']} / ${s['epMax']} ms |${before((x) => (x['epP99'] !== undefined ? `${x['epP50']} / ${x['epP99']} / ${x['epMax']} ms` : '—'))} p99 <= 1000 ms | ${ok(s['epP99']! <= 1000)} | — |`,
          ]
        : []),
      `| ${name}: Pilot RSS synced (peak) | ${s['rssSynced']!.toFixed(0)} MB (${s['rssPeak']!.toFixed(0)} MB) |${before((x) => `${x['rssSynced']!.toFixed(0)} MB (${x['rssPeak']!.toFixed(0)} MB)`)} <= 500 MB | ${ok(s['rssPeak']! <= 500)} | istiod: 1.5 GB |`,
      `| ${name}: Pilot CPU per change (VirtualService${s['epCpuPerChange'] !== undefined ? ' / endpoint' : ''}); idle with ${r.clients} streams | ${cpuText(s)} |${before(cpuText)} — | | istiod: 1 vCPU |`,
    ].join('\n');
  });
  const details = r.results.map(({ scenario, protocol, summary: s, runs, baseline }) => `### ${scenario === 'scoped' ? 'Scoped' : 'Full mesh'}, ${protocolText(protocol)}

${scenarioText(scenario, r)}.

${facts(r, s)}

${runsTable(runs)}
${baseline ? `
Before (${r.baselineLabel}; clients: ${protocolText(baseline.protocol)}), run just before in the same invocation:

${facts(r, baseline.summary)}

${runsTable(baseline.runs)}
` : ''}`);
  return `\`tools/bench/pilot-scale.ts\`; run: \`node tools/build.mjs pilot && npx tsx --tsconfig tsconfig.base.json tools/bench/pilot-scale.ts\`
(\`--scenario scoped|full|both\`, \`--services\`, \`--clients\`, \`--changes\`, \`--cpu-prof DIR\`, \`--baseline OTHER/main.js\` to run an
earlier build first in each scenario and report both, \`--baseline-label TEXT\`, \`--bundle PATH\` (default dist/apps/pilot/main.js), \`--endpoint-changes N\`, \`--pilot-flags "NODE FLAGS"\` for both Pilots (\`--baseline-pilot-flags\` for the baseline alone),
\`--protocol sotw|delta|delta-novhds\` for the clients (default delta, as Sextant sidecars speak), \`--compare-protocol P\` to run the full mesh (\`--compare-scenarios scoped,full\` for more) first with clients speaking P on the same bundle and report both,
\`--baseline-protocol\` for the \`--baseline\` run,
\`--out FILE\`: the part of the page between its bench-output markers is replaced, the hand-written rounds below it are kept).

**Mesh**: ${r.services} services (ServiceEntries, MESH_INTERNAL, STATIC, one HTTP port 8080, two endpoints each) over ${r.namespaces} namespaces;
one in ten with a DestinationRule (2 subsets) and a VirtualService (header match + weighted split).
**Clients**: ${r.clients} simulated Envoy sidecars in a separate process. With **Delta ADS and VHDS** (\`tools/bench/pilot-delta-clients.ts\`, how
Sextant's sidecars speak to Pilot): Envoy's \`DELTA_GRPC\` ADS, wildcard CDS and LDS, EDS and RDS for the names those carry, and a VirtualHost
subscription to each route configuration that says \`vhds\` (its name as a namespace), node metadata \`SEXTANT_VHDS=true\`; each stream
keeps the names and versions it holds and (un)subscribes as they change. With **SotW** (\`tools/bench/pilot-clients.ts\`, how Istio's sidecars speak): SotW ADS streams on raw
node:http2 connections (\`raw-ads-stream.ts\`; 40 connections of 50 streams, where real sidecars have one each), requests encoded with the loaded
AggregatedDiscoveryService definition, distinct node ids and IPs, ${r.clients / r.namespaces} per namespace; wildcard CDS and LDS, then EDS and RDS for
the names those carry. Both: every response ACKed with its version and nonce, as Envoy does; HTTP/2 windows of 16 MiB (Envoy's
default is 256 MiB). Responses are read in the chunks they arrive in (version, type and nonce; resources decoded only for
CDS/LDS names, once per version): 2000 sidecars share one core, and a real Envoy's decoding happens on its own.
**Measured**: from writing a change to the \`sextant_config\` bucket (as Galley does) to each sidecar's last ACK of what
the change caused, over every sidecar and ${r.changes} changes of the first kind and ${r.endpointChanges ?? r.changes} of the second (full mesh: at most 3 of each): a **VirtualService change** (the weights of
\`svc-0\`'s split: with VHDS its one virtual host, without it the whole RouteConfiguration, to every sidecar), then an **endpoint change** (\`svc-0\`'s ServiceEntry moves its second
endpoint to another address: ClusterLoadAssignments to every sidecar); Pilot's own \`pilot_proxy_convergence_time\` agrees. Pilot at its
defaults (debounce 100 ms quiet / 10 s max, push batch 100).

## Result against DESIGN.md §6

| what | Sextant Pilot |${compare ? ` before (${r.baselineLabel}) |` : ''} target | | Istio's published figure |
| --- | --- |${compare ? ' --- |' : ''} --- | --- | --- |
${rows.join('\n')}

Istio's figure (istiod with 1000 services and 2000 sidecars: 1 vCPU, 1.5 GB) is quoted from Istio's performance and scalability
page, not measured here.

## Details

${details.join('\n')}
## Conditions

${new Date().toISOString().slice(0, 10)}; ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores shared with other engineers' builds, tests and benchmarks
(load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} when the run ended; per scenario above); Node ${process.version}; NATS 2.9 on the same machine;
Pilot ${r.pinned ? 'pinned to CPU 0 and the simulated sidecars to CPU 1 (taskset)' : 'not pinned'}.
`;
}

const BEGIN = '<!-- bench output: tools/bench/pilot-scale.ts writes from here -->';
const END = '<!-- bench output ends: hand-written rounds and analysis below are kept -->';

/**
 * The page with this run's numbers: the generated part replaced between its
 * markers, everything else (each round's summary, the analysis) kept as it is.
 */
export function updatePage(existing: string | undefined, r: ReportInput): string {
  const block = `${BEGIN}\n\n${markdown(r)}\n${END}`;
  if (existing) {
    const a = existing.indexOf(BEGIN);
    const b = existing.indexOf(END);
    if (a >= 0 && b > a) return `${existing.slice(0, a)}${block}${existing.slice(b + END.length)}`;
  }
  return `# Pilot scale benchmark\n\n${block}\n`;
}
