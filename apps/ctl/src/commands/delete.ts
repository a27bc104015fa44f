// `sextant delete -f PATH...` or `sextant delete KIND NAME [-n NS]`: one
// atomic batch; a name that does not exist fails the whole delete.
import type { Command } from 'commander';
import { isForeignDocument, resolveKind } from '@sextant/galley-api';
import { decodeFiles, formatIssues } from '@sextant/validation';
import { exitUsage, kindLabel, withGalley, withGalleyOption, type GalleyOptions } from './galley-connection';
import { collect, InputError, readInputs } from './manifest-input';

interface Ref {
  kind: string;
  namespace: string;
  name: string;
}

function refsFromFiles(paths: string[], namespace: string): Ref[] | string {
  let inputs;
  try {
    inputs = readInputs(paths);
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
  const decoded = decodeFiles(inputs);
  if (decoded.errors.length) return formatIssues(decoded.errors);
  const refs: Ref[] = [];
  for (const d of decoded.documents) {
    if (isForeignDocument(d.value)) continue;
    const meta = (d.value['metadata'] ?? {}) as Record<string, unknown>;
    const kind = typeof d.value['kind'] === 'string' ? d.value['kind'] : '';
    const name = typeof meta['name'] === 'string' ? meta['name'] : '';
    if (!kind || !name) return `${d.file}#${d.index}: a document to delete needs kind and metadata.name`;
    refs.push({ kind, namespace: typeof meta['namespace'] === 'string' && meta['namespace'] ? meta['namespace'] : namespace, name });
  }
  return refs.length ? refs : 'the files name no Istio resources';
}

export function registerDelete(program: Command): void {
  withGalleyOption(
    program
      .command('delete')
      .description('delete Istio resources from Galley: those a manifest names (-f), or KIND NAME')
      .argument('[kind]', 'kind: VirtualService, virtualservice, vs, virtualservices.networking.istio.io...')
      .argument('[names...]', 'resource names')
      .option('-f, --filename <path>', 'delete what these files name; repeatable', collect, [])
      .option('-n, --namespace <ns>', 'namespace (default: default)')
      .option('--resource-version <revision>', 'delete only if the stored revision is still this one (one name only)')
      .option('--dry-run', 'check, delete nothing'),
  ).action(async (kind: string | undefined, names: string[], opts: GalleyOptions & { filename: string[]; namespace?: string; resourceVersion?: string; dryRun?: boolean }) => {
    let refs: Ref[];
    if (opts.filename.length) {
      if (kind) return exitUsage('error: give either -f or KIND NAME, not both');
      const found = refsFromFiles(opts.filename, opts.namespace ?? '');
      if (typeof found === 'string') {
        process.stderr.write(`error: ${found}\n`);
        process.exitCode = 1;
        return;
      }
      refs = found;
    } else {
      if (!kind || !names.length) return exitUsage('error: give -f FILE, or KIND NAME [NAME...] [-n NAMESPACE]');
      const info = resolveKind(kind);
      if (!info) return exitUsage(`error: unknown kind ${JSON.stringify(kind)}`);
      refs = names.map((name) => ({ kind: info.kind, namespace: opts.namespace ?? '', name }));
    }
    if (opts.resourceVersion && refs.length !== 1) return exitUsage('error: --resource-version applies to one resource only');
    await withGalley(opts, async (client) => {
      const res = await client.delete({ refs, expectedResourceVersion: opts.resourceVersion ?? '0', dryRun: !!opts.dryRun });
      for (const r of res.deleted) process.stdout.write(`${kindLabel(r.kind)} "${r.name}" deleted${opts.dryRun ? ' (server dry run)' : ''}\n`);
    });
  });
}
