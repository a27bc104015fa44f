// `sextant analyze`: what `istioctl analyze` is to Istio. Files (validated
// first) are analysed together with the running mesh's stored configuration
// and service registry; a file's resource replaces the stored one of the same
// identity. Exit 1 when errors are found (or warnings, with --fail-on
// warning), 0 otherwise, 2 for bad usage or nothing to analyse.
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Command } from 'commander';
import {
  ALL_ANALYZERS,
  analyzeFiles,
  formatTextReport,
  registryFromWorkloadRecords,
  type FileAnalysisInput,
  type RegistryInput,
} from '@sextant/analysis';
import type { IstioResource } from '@sextant/config-model';
import { ConfigStore } from '@sextant/config-store';
import { parseWorkloadsFile, runningMesh, WorkloadsFileError } from '@sextant/local-mesh';
import { BUCKETS } from '@sextant/nats';
import type { InputFile } from '@sextant/validation';
import { parseWorkloadRecord, type WorkloadRecord } from '@sextant/workloads';
import { stateDir } from '../paths';
import { exitUsage } from './galley-connection';
import { collect, InputError, readInputs } from './manifest-input';

interface AnalyzeOpts {
  filename: string[];
  offline?: boolean;
  failOn: string;
  output: string;
  namespace?: string;
  allNamespaces?: boolean;
  workloads?: string;
  nats?: string;
  listAnalyzers?: boolean;
}

interface LiveMesh {
  url: string;
  resources: IstioResource[];
  registry: RegistryInput;
}

const CONNECT_TIMEOUT_MS = 3_000;

async function openIfExists(nc: NatsConnection, bucket: string): Promise<KV | undefined> {
  try {
    return await new Kvm(nc).open(bucket);
  } catch {
    return undefined; // no such bucket yet: nothing stored
  }
}

async function readWorkloadRecords(kv: KV): Promise<WorkloadRecord[]> {
  const out: WorkloadRecord[] = [];
  const keys: string[] = [];
  for await (const k of await kv.keys()) keys.push(k);
  for (const key of keys.sort()) {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT') continue;
    const rec = parseWorkloadRecord(entry.value);
    if (rec) out.push(rec);
  }
  return out;
}

async function readLiveMesh(url: string): Promise<LiveMesh> {
  const nc = await connect({ servers: url, timeout: CONNECT_TIMEOUT_MS, maxReconnectAttempts: 0, reconnect: false });
  try {
    const configKv = await openIfExists(nc, BUCKETS.config);
    const stored = configKv ? await new ConfigStore({ kv: configKv }).list() : [];
    const workloadsKv = await openIfExists(nc, BUCKETS.workloads);
    const records = workloadsKv ? await readWorkloadRecords(workloadsKv) : [];
    // Stored Secrets (gateway credentials) are registry input, as Kubernetes Secrets are for istioctl: credentialName checks.
    const secrets = stored.filter((s) => s.ref.kind === 'Secret').map((s) => `${s.ref.namespace}/${s.ref.name}`);
    const resources = stored.filter((s) => s.ref.kind !== 'Secret').map((s) => s.resource as IstioResource);
    return { url, resources, registry: { ...registryFromWorkloadRecords(records), secrets } };
  } finally {
    await nc.close().catch(() => undefined);
  }
}

function listAnalyzers(): void {
  for (const a of ALL_ANALYZERS) {
    const optional = a.optionalInputs?.length ? `; uses when known: ${a.optionalInputs.join(', ')}` : '';
    process.stdout.write(`${a.name} [${a.codes.join(', ')}]\n  ${a.description}\n  inputs: ${a.inputs.join(', ') || '(the input itself)'}${optional}\n`);
  }
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('analyse Istio configuration for problems across resources (files, the running mesh, or both), like istioctl analyze')
    .option('-f, --filename <path>', 'file, directory (searched recursively) or - ; repeatable', collect, [])
    .option('--offline', 'analyse the files alone, without the running mesh')
    .option('--fail-on <level>', 'exit 1 on messages of this level or worse: error or warning', 'error')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('-n, --namespace <ns>', 'report on this namespace (and give it to documents without one); default: default')
    .option('-A, --all-namespaces', 'report on every namespace')
    .option('-w, --workloads <file>', 'a local-mesh workloads file to use as the service registry (e.g. with --offline)')
    .option('--nats <url>', "the mesh's NATS (default: the running local mesh's)")
    .option('--list-analyzers', 'list the analyzers, their inputs and codes, and exit')
    .addHelpText(
      'after',
      `
Kubernetes Services, Deployments, Pods and Secrets among the files describe the
registry, as with istioctl. Without a mesh, a workloads file or such objects the
registry is unknown and the analyzers that need it are skipped (the summary
says which). When workloads are known, an ingress gateway labelled
istio=ingressgateway in istio-system is assumed, as every mesh runs one.

Exit codes: 0 no errors, 1 errors (or warnings with --fail-on warning),
2 bad usage or nothing to analyse.`,
    )
    .action(async (opts: AnalyzeOpts) => {
      if (opts.listAnalyzers) return listAnalyzers();
      if (!['text', 'json'].includes(opts.output)) return exitUsage(`--output must be text or json, got ${JSON.stringify(opts.output)}`);
      if (!['error', 'warning'].includes(opts.failOn)) return exitUsage(`--fail-on must be error or warning, got ${JSON.stringify(opts.failOn)}`);
      if (opts.namespace && opts.allNamespaces) return exitUsage('use either -n NAMESPACE or -A, not both');

      let files: InputFile[] = [];
      try {
        if (opts.filename.length) files = readInputs(opts.filename);
      } catch (err) {
        if (err instanceof InputError) return exitUsage(`error: ${err.message}`);
        throw err;
      }

      let registry: RegistryInput | undefined;
      if (opts.workloads) {
        try {
          registry = registryFromWorkloadRecords(parseWorkloadsFile(opts.workloads));
        } catch (err) {
          return exitUsage(err instanceof WorkloadsFileError ? err.message : `error: cannot read ${opts.workloads}: ${(err as Error).message}`);
        }
      }

      let live: LiveMesh | undefined;
      if (!opts.offline) {
        const mesh = runningMesh(stateDir());
        const url = opts.nats ?? mesh?.nats.url;
        if (url) {
          try {
            live = await readLiveMesh(url);
          } catch (err) {
            if (!files.length) {
              process.stderr.write(`error: the mesh's NATS at ${url} cannot be read (${(err as Error).message}); pass -f FILE to analyse files alone\n`);
              process.exitCode = 2;
              return;
            }
            process.stderr.write(`note: the mesh's NATS at ${url} cannot be read (${(err as Error).message}); analysing the files alone\n`);
          }
        } else if (files.length) {
          process.stderr.write('note: no mesh is running; analysing the files alone\n');
        }
      }
      if (!files.length && !live) {
        return exitUsage(opts.offline ? 'nothing to analyse: --offline needs -f FILE' : 'nothing to analyse: no mesh is running (`sextant up`) and no -f FILE was given');
      }

      const namespace = opts.allNamespaces ? undefined : (opts.namespace ?? 'default');
      const input: FileAnalysisInput = { files, ...(live ? { live: { resources: live.resources, registry: live.registry } } : {}), ...(registry ? { registry } : {}) };
      const result = analyzeFiles(input, { namespace, defaultNamespace: opts.namespace ?? 'default', defaultIngressGateway: true });

      if (opts.output === 'json') {
        process.stdout.write(`${JSON.stringify({ namespace: namespace ?? null, mesh: live?.url ?? null, ...result }, null, 2)}\n`);
      } else {
        process.stdout.write(`${formatTextReport(result, namespace)}\n`);
      }
      const failing = result.counts.errors + (opts.failOn === 'warning' ? result.counts.warnings : 0);
      process.exitCode = failing > 0 ? 1 : 0;
    });
}
