// `sextant apply -f PATH... [--dry-run]`: every document of every file in
// one atomic batch. The files are validated here first (so errors name the
// right file), then Galley validates again and stores all or nothing.
import type { Command } from 'commander';
import { validateManifests } from '@sextant/galley-api';
import { formatIssue, formatIssues } from '@sextant/validation';
import { exitUsage, kindLabel, withGalley, withGalleyOption, type GalleyOptions } from './galley-connection';
import { collect, InputError, readInputs } from './manifest-input';

export function registerApply(program: Command): void {
  withGalleyOption(
    program
      .command('apply')
      .description('validate and store Istio configuration in Galley, all documents at once or none')
      .option('-f, --filename <path>', 'file, directory (searched recursively) or - ; repeatable', collect, [])
      .option('--dry-run', 'validate and show what would change; store nothing (checked by Galley)')
      .option('--field-manager <name>', 'who is applying (kept with each revision)', 'sextant'),
  ).action(async (opts: GalleyOptions & { filename: string[]; dryRun?: boolean; fieldManager: string }) => {
    let inputs;
    try {
      inputs = readInputs(opts.filename);
    } catch (err) {
      if (err instanceof InputError) return exitUsage(`error: ${err.message}`);
      throw err;
    }
    const local = validateManifests(inputs);
    if (!local.valid) {
      process.stderr.write(`${formatIssues(local.errors)}\nerror: ${local.errors.length} validation error${local.errors.length === 1 ? '' : 's'}; nothing was applied\n`);
      process.exitCode = 1;
      return;
    }
    if (!local.resources.length) {
      for (const s of local.skipped) process.stderr.write(`Warning: ${formatIssue(s)}\n`);
      process.stdout.write('no Istio resources to apply\n');
      return;
    }
    const manifest = inputs.map((i) => (typeof i.content === 'string' ? i.content : Buffer.from(i.content).toString('utf8'))).join('\n---\n');
    const source = inputs.length === 1 ? inputs[0]!.file : `${inputs.length} files`;
    await withGalley(opts, async (client) => {
      const res = await client.apply({ manifest, source, dryRun: !!opts.dryRun, fieldManager: opts.fieldManager });
      for (const w of res.warnings) process.stderr.write(`Warning: ${w.ref?.kind ? `${w.ref.kind}/${w.ref.name}: ` : ''}${w.path ? `${w.path}: ` : ''}${w.reason}\n`);
      const suffix = res.dryRun ? ' (server dry run)' : '';
      for (const a of res.applied) process.stdout.write(`${kindLabel(a.ref?.kind ?? '')}/${a.ref?.name} ${a.action}${suffix}\n`);
    });
  });
}
