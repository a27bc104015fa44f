// `sextant create secret tls NAME --cert FILE --key FILE [--cacert FILE]` and
// `sextant create secret generic NAME --from-file=[KEY=]FILE...`: a gateway
// TLS credential (Istio's credentialName) stored through Galley, as
// `kubectl create secret tls|generic` does in a cluster. Checked here first
// (errors name the file and the Secret field), then by Galley. Like kubectl
// create it refuses a name that exists; `--dry-run -o yaml` prints the
// Secret for `sextant apply -f` (how a credential is rotated).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { checkSecretObject, TLS_SECRET_TYPE, OPAQUE_SECRET_TYPE } from '@sextant/credentials';
import { ConfigCallError } from '@sextant/galley-api';
import { exitUsage, withGalley, withGalleyOption, type GalleyOptions } from './galley-connection';
import { collect } from './manifest-input';

interface CreateOptions extends GalleyOptions {
  namespace?: string;
  dryRun?: boolean;
  output?: string;
}

class FileError extends Error {}

function read(path: string, flag: string): string {
  try {
    return readFileSync(path).toString('base64');
  } catch (err) {
    throw new FileError(`error: cannot read ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Builds, checks and stores (or prints) the Secret; `files` maps each data key to the flag and file it came from. */
async function createSecret(name: string, type: string, data: Record<string, string>, files: Record<string, string>, opts: CreateOptions): Promise<void> {
  if (opts.output !== undefined && opts.output !== 'yaml' && opts.output !== 'json') return exitUsage(`error: --output must be yaml or json, got ${JSON.stringify(opts.output)}`);
  if (opts.output && !opts.dryRun) return exitUsage('error: -o prints the Secret without storing it; add --dry-run');
  const namespace = opts.namespace || 'default';
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type, data };
  const check = checkSecretObject(secret);
  if (check.errors.length) {
    for (const e of check.errors) {
      const key = e.path.startsWith('data.') ? e.path.slice(5) : undefined;
      const from = key && files[key] ? `${files[key]} (${e.path})` : e.path || `secret ${name}`;
      process.stderr.write(`error: ${from}: ${e.reason}\n`);
    }
    process.stderr.write(`error: secret ${namespace}/${name} was not created\n`);
    process.exitCode = 1;
    return;
  }
  if (opts.output) {
    process.stdout.write(opts.output === 'json' ? `${JSON.stringify(secret, null, 2)}\n` : stringify(secret, { lineWidth: 0 }));
    return;
  }
  await withGalley(opts, async (client) => {
    const exists = await client.get({ kind: 'Secret', namespace, name }).then(
      () => true,
      (err: unknown) => {
        if (err instanceof ConfigCallError && err.statusName === 'NOT_FOUND') return false;
        throw err;
      },
    );
    if (exists) throw new Error(`secret "${name}" already exists in namespace ${namespace}; delete it first, or rotate it with \`sextant create secret ... --dry-run -o yaml | sextant apply -f -\``);
    const res = await client.apply({ manifest: JSON.stringify(secret), source: `secret/${name}`, dryRun: !!opts.dryRun, fieldManager: 'sextant-create' });
    for (const a of res.applied) process.stdout.write(`secret/${a.ref?.name} ${a.action}${res.dryRun ? ' (server dry run)' : ''}\n`);
  });
}

function common(cmd: Command): Command {
  return withGalleyOption(
    cmd
      .option('-n, --namespace <ns>', 'namespace (default: default); a gateway reads Secrets of its own namespace only')
      .option('--dry-run', 'check (and with -o print) the Secret; store nothing')
      .option('-o, --output <format>', 'with --dry-run: print the Secret as yaml or json'),
  );
}

export function registerCreate(program: Command): void {
  const create = program.command('create').description('create resources from the command line (like kubectl create)');
  const secret = create.command('secret').description('store a gateway TLS credential (Istio credentialName) in Galley');

  common(
    secret
      .command('tls')
      .description('a kubernetes.io/tls Secret: tls.crt, tls.key and optionally ca.crt (a CA for MUTUAL)')
      .argument('<name>', 'Secret name (the Gateway credentialName)')
      .requiredOption('--cert <file>', 'PEM certificate chain, leaf first')
      .requiredOption('--key <file>', 'PEM private key of the certificate')
      .option('--cacert <file>', 'PEM CA certificates that client certificates must chain to (MUTUAL)'),
  ).action(async (name: string, opts: CreateOptions & { cert: string; key: string; cacert?: string }) => {
    try {
      const data: Record<string, string> = { 'tls.crt': read(opts.cert, '--cert'), 'tls.key': read(opts.key, '--key') };
      const files: Record<string, string> = { 'tls.crt': `--cert ${opts.cert}`, 'tls.key': `--key ${opts.key}` };
      if (opts.cacert) {
        data['ca.crt'] = read(opts.cacert, '--cacert');
        files['ca.crt'] = `--cacert ${opts.cacert}`;
      }
      await createSecret(name, TLS_SECRET_TYPE, data, files, opts);
    } catch (err) {
      if (!(err instanceof FileError)) throw err;
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
    }
  });

  common(
    secret
      .command('generic')
      .description("an Opaque Secret from files: Istio's keys tls.crt/tls.key/ca.crt or cert/key/cacert")
      .argument('<name>', 'Secret name (the Gateway credentialName)')
      .option('--from-file <[key=]file>', 'a data key from a file (key defaults to the file name); repeatable', collect, []),
  ).action(async (name: string, opts: CreateOptions & { fromFile: string[] }) => {
    if (!opts.fromFile.length) return exitUsage('error: give at least one --from-file=[KEY=]FILE');
    try {
      const data: Record<string, string> = {};
      const files: Record<string, string> = {};
      for (const spec of opts.fromFile) {
        const eq = spec.indexOf('=');
        const key = eq > 0 ? spec.slice(0, eq) : basename(spec);
        const path = eq > 0 ? spec.slice(eq + 1) : spec;
        if (key in data) return exitUsage(`error: --from-file names the key ${key} twice`);
        data[key] = read(path, '--from-file');
        files[key] = `--from-file ${path}`;
      }
      await createSecret(name, OPAQUE_SECRET_TYPE, data, files, opts);
    } catch (err) {
      if (!(err instanceof FileError)) throw err;
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
    }
  });
}
