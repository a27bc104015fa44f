// `sextant proxy-config listeners|routes|clusters|endpoints|secret PROXY`:
// istioctl's proxy-config against Pilot's /debug/config_dump (the resources
// Pilot sends that proxy now). Short tables by default; -o json prints the
// resources in full.
import type { Command } from 'commander';
import { table } from '@sextant/local-mesh';
import { CliError, checkOutput, pilotAdminUrl, pilotGet, resolveProxy, runCli } from './proxy-status';
import { certRows, fetchCerts, proxyAdminUrl } from './proxy-secrets';

type Obj = Record<string, unknown>;
interface DumpEntry {
  name: string;
  version: string;
  resource: Obj;
}
interface ConfigDump {
  proxy: string;
  pushVersion: string;
  warnings: string[];
  configs: Record<string, DumpEntry[]>;
}

/** CLI word -> config_dump section. */
const SECTIONS: Record<string, string> = {
  listeners: 'listeners',
  listener: 'listeners',
  routes: 'routes',
  route: 'routes',
  clusters: 'clusters',
  cluster: 'clusters',
  endpoints: 'endpoints',
  endpoint: 'endpoints',
  secret: 'secrets',
  secrets: 'secrets',
};

const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** Istio's cluster names: direction|port|subset|host. */
function parseCluster(name: string): { direction: string; port: string; subset: string; host: string } | undefined {
  const p = name.split('|');
  return p.length === 4 ? { direction: p[0]!, port: p[1]!, subset: p[2]!, host: p[3]! } : undefined;
}

/** The Istio config a resource came from, when translation recorded it in metadata (istio.config). */
function istioConfig(r: Obj): string {
  const config = str(obj(obj(obj(r['metadata'])['filterMetadata'])['istio'])['config']);
  const m = /\/namespaces\/([^/]+)\/[^/]+\/([^/]+)$/.exec(config);
  return m ? `${m[2]}.${m[1]}` : '-';
}

export function clusterRows(entries: readonly DumpEntry[]): string[][] {
  const rows = [['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE']];
  for (const { name, resource } of entries) {
    const p = parseCluster(name);
    const type = str(resource['type']) || (resource['clusterType'] ? 'CUSTOM' : 'EDS');
    rows.push(p ? [p.host || '-', p.port || '-', p.subset || '-', p.direction, type, istioConfig(resource)] : [name, '-', '-', '-', type, istioConfig(resource)]);
  }
  return rows;
}

function hcmOf(filter: Obj): Obj | undefined {
  const tc = obj(filter['typedConfig']);
  return str(tc['@type']).endsWith('HttpConnectionManager') ? tc : undefined;
}

function destinationOfChain(chain: Obj): string {
  for (const f of arr(chain['filters'])) {
    const hcm = hcmOf(f);
    if (hcm) {
      const rds = str(obj(hcm['rds'])['routeConfigName']);
      return rds ? `Route: ${rds}` : `Inline route: ${str(obj(hcm['routeConfig'])['name']) || '-'}`;
    }
    const tc = obj(f['typedConfig']);
    if (str(tc['@type']).endsWith('TcpProxy')) {
      const weighted = arr(obj(tc['weightedClusters'])['clusters']).map((c) => str(c['name']));
      return `Cluster: ${str(tc['cluster']) || weighted.join(',') || '-'}`;
    }
  }
  return '-';
}

function chainMatch(chain: Obj): string {
  const m = obj(chain['filterChainMatch']);
  const parts: string[] = [];
  if (m['destinationPort']) parts.push(`port ${str(obj(m['destinationPort'])['value'] ?? m['destinationPort'])}`);
  const sni = arr(m['serverNames']).map(str);
  if (sni.length) parts.push(`SNI ${sni.join(',')}`);
  const alpn = arr(m['applicationProtocols']).map(str);
  if (alpn.length) parts.push(`ALPN ${alpn.join(',')}`);
  const tp = str(m['transportProtocol']);
  if (tp) parts.push(tp);
  return parts.join('; ') || 'ALL';
}

export function listenerRows(entries: readonly DumpEntry[]): string[][] {
  const rows = [['NAME', 'ADDRESS', 'PORT', 'MATCH', 'DESTINATION']];
  for (const { name, resource } of entries) {
    const api = obj(obj(resource['apiListener'])['apiListener']);
    if (Object.keys(api).length > 0) {
      const rds = str(obj(api['rds'])['routeConfigName']);
      rows.push([name, '-', '-', 'API listener (proxyless gRPC)', rds ? `Route: ${rds}` : `Inline route: ${str(obj(api['routeConfig'])['name']) || '-'}`]);
      continue;
    }
    const sa = obj(obj(resource['address'])['socketAddress']);
    const chains = arr(resource['filterChains']);
    if (resource['defaultFilterChain']) chains.push(obj(resource['defaultFilterChain']));
    if (chains.length === 0) rows.push([name, str(sa['address']) || '-', str(sa['portValue']) || '-', '-', '-']);
    for (const c of chains) rows.push([name, str(sa['address']) || '-', str(sa['portValue']) || '-', chainMatch(c), destinationOfChain(c)]);
  }
  return rows;
}

function routeMatch(route: Obj): string {
  const m = obj(route['match']);
  let path = '/*';
  if (m['path'] !== undefined) path = str(m['path']);
  else if (m['prefix'] !== undefined) path = `${str(m['prefix']) || '/'}*`;
  else if (m['safeRegex']) path = `regex ${str(obj(m['safeRegex'])['regex'])}`;
  const headers = arr(m['headers']).map((h) => `${str(h['name'])}${h['stringMatch'] ? `=${JSON.stringify(Object.values(obj(h['stringMatch']))[0])}` : ''}`);
  return [path, ...headers].join(' ');
}

function routeDestination(route: Obj): string {
  const action = obj(route['route']);
  if (action['cluster']) return str(action['cluster']);
  const weighted = arr(obj(action['weightedClusters'])['clusters']);
  if (weighted.length) return weighted.map((c) => `${str(c['name'])} (${str(obj(c['weight'])['value'] ?? c['weight'])})`).join(', ');
  if (route['directResponse']) return `direct ${str(obj(route['directResponse'])['status'])}`;
  if (route['redirect']) return 'redirect';
  return '-';
}

export function routeRows(entries: readonly DumpEntry[]): string[][] {
  const rows = [['NAME', 'VIRTUAL HOST', 'DOMAINS', 'MATCH', 'DESTINATION', 'VIRTUAL SERVICE']];
  for (const { name, resource } of entries) {
    for (const vh of arr(resource['virtualHosts'])) {
      const domains = arr(vh['domains']).map(str);
      const shown = domains.length > 2 ? `${domains[0]} +${domains.length - 1} more` : domains.join(',');
      for (const r of arr(vh['routes'])) rows.push([name, str(vh['name']), shown, routeMatch(r), routeDestination(r), istioConfig(r)]);
    }
  }
  return rows;
}

export function endpointRows(entries: readonly DumpEntry[]): string[][] {
  const rows = [['ENDPOINT', 'STATUS', 'WEIGHT', 'LOCALITY', 'CLUSTER']];
  for (const { name, resource } of entries) {
    for (const group of arr(resource['endpoints'])) {
      const loc = obj(group['locality']);
      const locality = [loc['region'], loc['zone'], loc['subZone']].map(str).filter(Boolean).join('/') || '-';
      for (const lb of arr(group['lbEndpoints'])) {
        const sa = obj(obj(obj(lb['endpoint'])['address'])['socketAddress']);
        const weight = obj(lb['loadBalancingWeight'])['value'] ?? lb['loadBalancingWeight'];
        rows.push([`${str(sa['address'])}:${str(sa['portValue'])}`, str(lb['healthStatus']) || 'UNKNOWN', str(weight) || '1', locality, name]);
      }
    }
  }
  return rows;
}

export function secretRows(entries: readonly DumpEntry[]): string[][] {
  const rows = [['RESOURCE NAME', 'TYPE', 'VERSION']];
  for (const { name, resource, version } of entries) {
    const type = resource['tlsCertificate'] ? 'Cert Chain' : resource['validationContext'] ? 'CA' : '-';
    rows.push([name, type, version]);
  }
  return rows;
}

const FORMATTERS: Record<string, (e: readonly DumpEntry[]) => string[][]> = {
  listeners: listenerRows,
  routes: routeRows,
  clusters: clusterRows,
  endpoints: endpointRows,
  secrets: secretRows,
};

export function registerProxyConfig(program: Command): void {
  program
    .command('proxy-config <type> <proxy>')
    .alias('pc')
    .description('what Pilot sends a connected proxy: listeners, routes, clusters, endpoints or secret (tables; -o json for the resources in full)')
    .option('-o, --output <format>', 'table or json', 'table')
    .option('--all', 'everything Pilot would send, not only what the proxy subscribed to')
    .option('--pilot-admin <url>', "Pilot's admin URL (default: the local mesh's Pilot)")
    .option('--proxy-admin <url>', "secret: the proxy's admin URL (default: from the local mesh)")
    .action((type: string, proxy: string, opts: { output: string; all?: boolean; pilotAdmin?: string; proxyAdmin?: string }) =>
      runCli(async () => {
        checkOutput(opts.output);
        const section = SECTIONS[type];
        if (!section) throw new CliError(`unknown config type ${JSON.stringify(type)}; use listeners, routes, clusters, endpoints or secret`, 2);
        const admin = pilotAdminUrl(opts.pilotAdmin);
        const id = await resolveProxy(admin, proxy);
        const dump = await pilotGet<ConfigDump>(admin, `/debug/config_dump?proxy=${encodeURIComponent(id)}&types=${section}${opts.all ? '' : '&subscribed=true'}`);
        const entries = dump.configs[section] ?? [];
        if (section === 'secrets') {
          // The proxy's own certificate and roots (its /certs), then any secrets Pilot sends it.
          const certs = await fetchCerts(proxyAdminUrl(id, opts.proxyAdmin));
          if (opts.output === 'json') {
            process.stdout.write(`${JSON.stringify({ proxy: certs, pilot: entries.map((e) => e.resource) }, null, 2)}\n`);
            return;
          }
          process.stdout.write(`${certs.identity ? `IDENTITY ${certs.identity}\n` : `${certs.detail ?? 'no workload certificate'}\n`}${table(certRows(certs))}\n`);
          if (entries.length) process.stdout.write(`\nFrom Pilot:\n${table(secretRows(entries))}\n`);
          return;
        }
        if (opts.output === 'json') {
          process.stdout.write(`${JSON.stringify(entries.map((e) => e.resource), null, 2)}\n`);
          return;
        }
        process.stdout.write(`${table(FORMATTERS[section]!(entries))}\n`);
      }),
    );
}
