// The workloads file: which workload instances the local mesh runs. A bad
// file is refused whole, with every error naming the entry and the field.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseAllDocuments, parseDocument } from 'yaml';
import { PORT_PROTOCOLS, type PortProtocol, type WorkloadPort } from '@sextant/workloads';

/** Built-in apps a workload can name with `app:`; the runner knows how to start each. */
export const BUILTIN_APPS = ['echo', 'productpage', 'details', 'reviews', 'ratings'] as const;
export type BuiltinApp = (typeof BUILTIN_APPS)[number];

export interface WorkloadSpec {
  name: string;
  service: string;
  namespace: string;
  serviceAccount: string;
  labels: Record<string, string>;
  replicas: number;
  ports: WorkloadPort[];
  app?: BuiltinApp;
  command?: string[];
  env: Record<string, string>;
}

export interface WorkloadsFile {
  workloads: WorkloadSpec[];
  /** Istio config (YAML files, resolved against the workloads file) applied once the mesh is up. */
  config: string[];
}

export class WorkloadsFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length} problem(s) in the workloads file; nothing was started:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'WorkloadsFileError';
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const KNOWN_FIELDS = ['name', 'service', 'namespace', 'serviceAccount', 'labels', 'replicas', 'ports', 'app', 'command', 'env'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The workloads and the config files a workloads file names. */
export function readWorkloadsFile(file: string, text = readFileSync(file, 'utf8')): WorkloadsFile {
  const workloads = parseWorkloadsFile(file, text);
  const root = parseDocument(text).toJS({ maxAliasCount: 50 }) as unknown;
  const config: string[] = [];
  if (isObj(root) && root['config'] !== undefined) {
    const list = root['config'];
    if (!Array.isArray(list) || !list.every((c) => typeof c === 'string')) throw new WorkloadsFileError(file, ['config: must be a list of YAML file paths (relative to the workloads file)']);
    for (const c of list) {
      const path = resolve(dirname(file), c);
      if (!existsSync(path)) throw new WorkloadsFileError(file, [`config: ${c}: no such file (${path})`]);
      config.push(path);
    }
  }
  return { workloads, config };
}

export function parseWorkloadsFile(file: string, text = readFileSync(file, 'utf8')): WorkloadSpec[] {
  const problems: string[] = [];
  const docs = parseAllDocuments(text);
  const docList = Array.isArray(docs) ? docs : [docs];
  for (const d of docList) for (const e of d.errors) problems.push(`YAML: ${e.message.split('\n')[0]}`);
  if (problems.length) throw new WorkloadsFileError(file, problems);
  let root: unknown;
  try {
    root = docList.length === 1 ? docList[0].toJS({ maxAliasCount: 50 }) : docList.map((d) => d.toJS({ maxAliasCount: 50 }));
  } catch (err) {
    throw new WorkloadsFileError(file, [`YAML: ${(err as Error).message}`]);
  }
  if (isObj(root)) for (const k of Object.keys(root)) if (k !== 'workloads' && k !== 'config') problems.push(`${k}: unknown top-level field (known: workloads, config)`);
  const list = Array.isArray(root) ? root : isObj(root) && Array.isArray(root['workloads']) ? root['workloads'] : undefined;
  if (!list) throw new WorkloadsFileError(file, ['the file must be a list of workloads (or an object with a `workloads:` list)']);
  if (list.length === 0) throw new WorkloadsFileError(file, ['the list of workloads is empty']);

  const out: WorkloadSpec[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw: unknown, i: number) => {
    const where = (field: string) => `workloads[${i}]${isObj(raw) && typeof raw['name'] === 'string' ? ` (${raw['name']})` : ''}.${field}`;
    if (!isObj(raw)) return void problems.push(`workloads[${i}]: must be a mapping, got ${JSON.stringify(raw)}`);
    for (const k of Object.keys(raw)) if (!KNOWN_FIELDS.includes(k)) problems.push(`${where(k)}: unknown field (known: ${KNOWN_FIELDS.join(', ')})`);
    const str = (field: string, fallback?: string): string => {
      const v = raw[field];
      if (v === undefined && fallback !== undefined) return fallback;
      if (typeof v !== 'string' || !DNS_LABEL.test(v) || v.length > 63) {
        problems.push(`${where(field)}: ${v === undefined ? 'is required' : `must be a DNS label (lower-case letters, digits, '-'), got ${JSON.stringify(v)}`}`);
        return '';
      }
      return v;
    };
    const name = str('name');
    const service = str('service');
    const namespace = str('namespace', 'default');
    const serviceAccount = str('serviceAccount', 'default');
    if (name) {
      if (seen.has(name)) problems.push(`${where('name')}: duplicate workload name, also used by workloads[${seen.get(name)}]`);
      seen.set(name, i);
    }
    const labels: Record<string, string> = {};
    if (raw['labels'] !== undefined) {
      if (!isObj(raw['labels'])) problems.push(`${where('labels')}: must be a mapping of label -> value`);
      else
        for (const [k, v] of Object.entries(raw['labels'])) {
          if (!LABEL_KEY.test(k)) problems.push(`${where(`labels.${k}`)}: invalid label key`);
          else if (typeof v !== 'string' || !LABEL_VALUE.test(v)) problems.push(`${where(`labels.${k}`)}: value must be a string of at most 63 characters [A-Za-z0-9-_.], got ${JSON.stringify(v)}`);
          else labels[k] = v;
        }
    }
    let replicas = 1;
    if (raw['replicas'] !== undefined) {
      const r = raw['replicas'];
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 1 || r > 50) problems.push(`${where('replicas')}: must be an integer from 1 to 50, got ${JSON.stringify(r)}`);
      else replicas = r;
    }
    const ports: WorkloadPort[] = [];
    if (!Array.isArray(raw['ports']) || raw['ports'].length === 0) problems.push(`${where('ports')}: at least one port is required`);
    else
      raw['ports'].forEach((p: unknown, j: number) => {
        const pw = (f: string) => where(`ports[${j}].${f}`);
        if (!isObj(p)) return void problems.push(`${where(`ports[${j}]`)}: must be a mapping with name, port, protocol`);
        const pname = p['name'];
        const port = p['port'];
        const protocol = p['protocol'] ?? 'HTTP';
        if (typeof pname !== 'string' || !DNS_LABEL.test(pname)) problems.push(`${pw('name')}: must be a DNS label, got ${JSON.stringify(pname)}`);
        if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) problems.push(`${pw('port')}: must be an integer from 1 to 65535, got ${JSON.stringify(port)}`);
        if (typeof protocol !== 'string' || !PORT_PROTOCOLS.includes(protocol as PortProtocol)) problems.push(`${pw('protocol')}: must be one of ${PORT_PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
        else if (ports.some((q) => q.port === port)) problems.push(`${pw('port')}: port ${String(port)} is listed twice`);
        if (typeof pname === 'string' && typeof port === 'number' && typeof protocol === 'string') ports.push({ name: pname, port, protocol: protocol as PortProtocol });
      });
    const app = raw['app'];
    const command = raw['command'];
    if (app === undefined && command === undefined) problems.push(`${where('app')}: set either app (${BUILTIN_APPS.join(', ')}) or command`);
    if (app !== undefined && command !== undefined) problems.push(`${where('command')}: set app or command, not both`);
    if (app !== undefined && !BUILTIN_APPS.includes(app as BuiltinApp)) problems.push(`${where('app')}: unknown app ${JSON.stringify(app)}; built-in apps: ${BUILTIN_APPS.join(', ')}`);
    if (command !== undefined && (!Array.isArray(command) || command.length === 0 || !command.every((c) => typeof c === 'string')))
      problems.push(`${where('command')}: must be a non-empty list of strings`);
    const env: Record<string, string> = {};
    if (raw['env'] !== undefined) {
      if (!isObj(raw['env'])) problems.push(`${where('env')}: must be a mapping of NAME -> value`);
      else for (const [k, v] of Object.entries(raw['env'])) env[k] = String(v);
    }
    out.push({ name, service, namespace, serviceAccount, labels, replicas, ports, env, ...(app ? { app: app as BuiltinApp } : {}), ...(command ? { command: command as string[] } : {}) });
  });
  if (problems.length) throw new WorkloadsFileError(file, problems);
  return out;
}
