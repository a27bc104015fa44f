// `sextant config history KIND NAME` and `sextant config rollback KIND NAME
// [--to REVISION]`: the revisions NATS KV keeps of a resource (64), and
// restoring one through validation.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { Resource } from '@sextant/config-model';
import { resolveKind } from '@sextant/galley-api';
import { age } from './get';
import { exitUsage, kindLabel, withGalley, withGalleyOption, type GalleyOptions } from './galley-connection';

interface RefOpts extends GalleyOptions {
  namespace?: string;
}

function refOf(kind: string, name: string, opts: RefOpts): { kind: string; namespace: string; name: string } | undefined {
  const info = resolveKind(kind);
  if (!info) {
    exitUsage(`error: unknown kind ${JSON.stringify(kind)}`);
    return undefined;
  }
  return { kind: info.kind, namespace: opts.namespace ?? '', name };
}

export function registerConfig(program: Command): void {
  const config = program.command('config').description("a resource's stored revisions: history and rollback");

  withGalleyOption(
    config
      .command('history')
      .description('list the revisions Galley keeps of a resource (oldest first)')
      .argument('<kind>', 'kind (VirtualService, vs, ...)')
      .argument('<name>', 'resource name')
      .option('-n, --namespace <ns>', 'namespace (default: default)')
      .option('-o, --output <format>', 'table, yaml or json', 'table'),
  ).action(async (kind: string, name: string, opts: RefOpts & { output: string }) => {
    if (!['table', 'yaml', 'json'].includes(opts.output)) return exitUsage(`--output must be table, yaml or json, got ${JSON.stringify(opts.output)}`);
    const ref = refOf(kind, name, opts);
    if (!ref) return;
    await withGalley(opts, async (client) => {
      const res = await client.history(ref);
      const entries = res.entries.map((e) => ({ revision: Number(e.resourceVersion), operation: e.operation, created: e.created, resource: e.json ? (JSON.parse(e.json) as Resource) : undefined }));
      if (opts.output === 'json') return void process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      if (opts.output === 'yaml') return void process.stdout.write(stringify(entries, { lineWidth: 0 }));
      const rows = [['REVISION', 'OPERATION', 'GENERATION', 'MANAGER', 'AGE']];
      for (const e of entries) {
        const m = e.resource?.metadata;
        rows.push([String(e.revision), e.operation, m?.generation !== undefined ? String(m.generation) : '', m?.annotations?.['sextant.io/field-manager'] ?? '', age(e.created)]);
      }
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      process.stdout.write(`${rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('')).join('\n')}\n`);
    });
  });

  withGalleyOption(
    config
      .command('rollback')
      .description('restore an earlier revision (validated again); default: the latest one that differs from the current')
      .argument('<kind>', 'kind (VirtualService, vs, ...)')
      .argument('<name>', 'resource name')
      .option('-n, --namespace <ns>', 'namespace (default: default)')
      .option('--to <revision>', 'revision to restore (see `sextant config history`)')
      .option('--dry-run', 'check, change nothing')
      .option('--field-manager <name>', 'who is rolling back (kept with the revision)', 'sextant'),
  ).action(async (kind: string, name: string, opts: RefOpts & { to?: string; dryRun?: boolean; fieldManager: string }) => {
    if (opts.to !== undefined && !/^[1-9]\d*$/.test(opts.to)) return exitUsage(`error: --to must be a revision number, got ${JSON.stringify(opts.to)}`);
    const ref = refOf(kind, name, opts);
    if (!ref) return;
    await withGalley(opts, async (client) => {
      const res = await client.rollback({ ref, toResourceVersion: opts.to ?? '0', dryRun: !!opts.dryRun, fieldManager: opts.fieldManager });
      const what = opts.to ? `rolled back to revision ${opts.to}` : 'rolled back';
      process.stdout.write(`${kindLabel(ref.kind)}/${name} ${what}${opts.dryRun ? ' (server dry run)' : ` (now revision ${res.resourceVersion})`}\n`);
    });
  });
}
