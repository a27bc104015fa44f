// `sextant validate -f PATH...`: offline validation with the same validators
// Galley runs. Exit 0 when every document is valid (warnings allowed), 1
// otherwise; one line per problem, in the validator's format.
import type { Command } from 'commander';
import { validateManifests } from '@sextant/galley-api';
import { formatIssue } from '@sextant/validation';
import { exitUsage } from './galley-connection';
import { collect, InputError, readInputs } from './manifest-input';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('validate Istio configuration offline (files, directories or - for stdin; multi-document YAML or JSON)')
    .option('-f, --filename <path>', 'file, directory (searched recursively) or - ; repeatable', collect, [])
    .option('-o, --output <format>', 'text or json', 'text')
    .option('-q, --quiet', 'print errors only (no warnings, no summary)')
    .action((opts: { filename: string[]; output: string; quiet?: boolean }) => {
      if (!['text', 'json'].includes(opts.output)) return exitUsage(`--output must be text or json, got ${JSON.stringify(opts.output)}`);
      let inputs;
      try {
        inputs = readInputs(opts.filename);
      } catch (err) {
        if (err instanceof InputError) return exitUsage(`error: ${err.message}`);
        throw err;
      }
      const result = validateManifests(inputs);
      if (opts.output === 'json') {
        process.stdout.write(`${JSON.stringify({ valid: result.valid, files: inputs.length, resources: result.resources.length, errors: result.errors, warnings: result.warnings, skipped: result.skipped }, null, 2)}\n`);
      } else {
        for (const e of result.errors) process.stdout.write(`${formatIssue(e)}\n`);
        if (!opts.quiet) {
          for (const w of [...result.warnings, ...result.skipped]) process.stdout.write(`${formatIssue(w)}\n`);
          const files = `${inputs.length} file${inputs.length === 1 ? '' : 's'}`;
          if (result.valid) process.stdout.write(`${result.resources.length} resource${result.resources.length === 1 ? '' : 's'} in ${files}: valid\n`);
          else process.stdout.write(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${files}: invalid\n`);
        }
      }
      process.exitCode = result.valid ? 0 : 1;
    });
}
