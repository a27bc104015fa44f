// `sextant get KIND [NAME] [-n NS | -A] [-o table|yaml|json]`: what Galley
// stores, as kubectl shows it.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { Resource } from '@sextant/config-model';
import type { SecretDescription } from '@sextant/credentials';
import { resolveKind } from '@sextant/galley-api';
import { exitUsage, withGalley, withGalleyOption, type GalleyOptions } from './galley-connection';

export function age(timestamp: string | undefined, now = Date.now()): string {
  if (!timestamp) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

type Column = [header: string, value: (r: Resource) => string];

const list = (v: unknown) => (Array.isArray(v) ? v.join(',') : '');
const spec = (r: Resource) => (r.spec ?? {}) as Record<string, unknown>;

/** Extra columns per kind, as Istio's CRDs print them. */
const KIND_COLUMNS: Record<string, Column[]> = {
  VirtualService: [
    ['GATEWAYS', (r) => list(spec(r)['gateways'])],
    ['HOSTS', (r) => list(spec(r)['hosts'])],
  ],
  DestinationRule: [['HOST', (r) => String(spec(r)['host'] ?? '')]],
  ServiceEntry: [
    ['HOSTS', (r) => list(spec(r)['hosts'])],
    ['LOCATION', (r) => String(spec(r)['location'] ?? '')],
    ['RESOLUTION', (r) => String(spec(r)['resolution'] ?? '')],
  ],
  PeerAuthentication: [['MODE', (r) => String((spec(r)['mtls'] as { mode?: string } | undefined)?.mode ?? '')]],
  AuthorizationPolicy: [['ACTION', (r) => String(spec(r)['action'] ?? 'ALLOW')]],
  // Galley answers Secrets redacted, with the certificate facts in status.credential.
  Secret: [
    ['TYPE', (r) => String(spec(r)['type'] ?? '')],
    ['DATA', (r) => String(Object.keys((spec(r)['data'] ?? {}) as object).length)],
    ['HOSTS', (r) => credential(r)?.certificate?.[0]?.subjectAltNames.map((s) => s.replace(/^DNS:/, '')).join(',') ?? ''],
    ['EXPIRES', (r) => credential(r)?.certificate?.[0]?.notAfter ?? credential(r)?.caCertificate?.[0]?.notAfter ?? ''],
  ],
};

function credential(r: Resource): SecretDescription | undefined {
  return (r.status as { credential?: SecretDescription } | undefined)?.credential;
}

export function table(resources: Resource[], allNamespaces: boolean, now = Date.now()): string {
  const kind = resources[0]?.kind ?? '';
  const columns: Column[] = [
    ...(allNamespaces ? ([['NAMESPACE', (r) => r.metadata.namespace ?? '']] as Column[]) : []),
    ['NAME', (r) => r.metadata.name],
    ...(KIND_COLUMNS[kind] ?? []),
    ['REVISION', (r) => r.metadata.resourceVersion ?? ''],
    ['AGE', (r) => age(r.metadata.creationTimestamp, now)],
  ];
  const rows = [columns.map(([h]) => h), ...resources.map((r) => columns.map(([, v]) => v(r)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('')).join('\n');
}

export function render(resources: Resource[], output: string, single: boolean, allNamespaces: boolean): string {
  if (output === 'json') return JSON.stringify(single ? resources[0] : { apiVersion: 'v1', kind: 'List', items: resources }, null, 2);
  if (output === 'yaml') return resources.map((r) => stringify(r, { lineWidth: 0 }).trimEnd()).join('\n---\n');
  return table(resources, allNamespaces);
}

export function registerGet(program: Command): void {
  withGalleyOption(
    program
      .command('get')
      .description('show Istio resources (and gateway credential Secrets, redacted) stored in Galley')
      .argument('<kind>', 'kind: VirtualService, virtualservice, vs, virtualservices.networking.istio.io...')
      .argument('[name]', 'one resource')
      .option('-n, --namespace <ns>', 'namespace (default: default)')
      .option('-A, --all-namespaces', 'every namespace')
      .option('-o, --output <format>', 'table, yaml or json', 'table'),
  ).action(async (kind: string, name: string | undefined, opts: GalleyOptions & { namespace?: string; allNamespaces?: boolean; output: string }) => {
    if (!['table', 'yaml', 'json'].includes(opts.output)) return exitUsage(`--output must be table, yaml or json, got ${JSON.stringify(opts.output)}`);
    const info = resolveKind(kind);
    if (!info) return exitUsage(`error: unknown kind ${JSON.stringify(kind)}`);
    if (name && opts.allNamespaces) return exitUsage('error: a name needs one namespace; drop -A');
    await withGalley(opts, async (client) => {
      let resources: Resource[];
      if (name) {
        const r = await client.get({ kind: info.kind, namespace: opts.namespace ?? '', name });
        resources = [JSON.parse(r.json) as Resource];
      } else {
        const namespace = opts.allNamespaces ? '' : (opts.namespace ?? 'default');
        resources = (await client.list({ kind: info.kind, namespace })).resources.map((r) => JSON.parse(r.json) as Resource);
        if (!resources.length) {
          process.stderr.write(`No ${info.plural} found${namespace ? ` in namespace ${namespace}` : ''}.\n`);
          if (opts.output === 'table') return;
        }
      }
      process.stdout.write(`${render(resources, opts.output, !!name, !!opts.allNamespaces)}\n`);
    });
  });
}
