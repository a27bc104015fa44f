// How the config commands reach Galley, and how they report its answers.
// Address: --galley, else SEXTANT_GALLEY_ADDRESS, else the running local
// mesh's galley (its grpc port on 127.0.0.1), else 127.0.0.1:9901.
import * as grpc from '@grpc/grpc-js';
import { connect } from 'node:net';
import type { Command } from 'commander';
import { findKind, type KindInfo } from '@sextant/config-model';
import { ConfigCallError, ConfigClient } from '@sextant/galley-api';
import { runningMesh } from '@sextant/local-mesh';
import { stateDir } from '../paths';

export const DEFAULT_GALLEY_ADDRESS = '127.0.0.1:9901';

export interface GalleyOptions {
  galley?: string;
}

export function withGalleyOption(cmd: Command): Command {
  return cmd.option('--galley <address>', "Galley's config API host:port (default: the local mesh's; env SEXTANT_GALLEY_ADDRESS)");
}

export function galleyAddress(opts: GalleyOptions): string {
  if (opts.galley) return opts.galley;
  const env = process.env['SEXTANT_GALLEY_ADDRESS'];
  if (env) return env;
  const galley = runningMesh(stateDir())?.components.find((c) => c.name === 'galley');
  const port = galley?.ports['grpc'];
  return port ? `127.0.0.1:${port}` : DEFAULT_GALLEY_ADDRESS;
}

export class Unreachable extends Error {}

const unreachable = (address: string) =>
  new Unreachable(`no Galley reachable at ${address}; start the mesh with \`sextant up\` or pass --galley`);

/** A quick TCP probe, so that a refused connection fails at once rather than after gRPC's retries. */
function listening(address: string, ms: number): Promise<boolean> {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port)) return Promise.resolve(true); // let gRPC judge other target forms
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: ms });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** A connected client, or Unreachable. */
export async function connectGalley(opts: GalleyOptions): Promise<ConfigClient> {
  const address = galleyAddress(opts);
  if (!(await listening(address, 2_000))) throw unreachable(address);
  const client = new ConfigClient(address);
  try {
    await client.waitReady(3_000);
  } catch {
    client.close();
    throw unreachable(address);
  }
  return client;
}

/** Runs `fn` with a client; prints any failure the way the CLI reports them and sets the exit code. */
export async function withGalley(opts: GalleyOptions, fn: (client: ConfigClient) => Promise<void>): Promise<void> {
  let client: ConfigClient | undefined;
  try {
    client = await connectGalley(opts);
    await fn(client);
  } catch (err) {
    process.exitCode = 1;
    process.stderr.write(`${describeFailure(err, galleyAddress(opts))}\n`);
  } finally {
    client?.close();
  }
}

export function describeFailure(err: unknown, address: string): string {
  if (err instanceof Unreachable) return err.message;
  if (!(err instanceof ConfigCallError)) return `error: ${(err as Error).message}`;
  switch (err.code) {
    case grpc.status.INVALID_ARGUMENT:
      if (err.errorCode === 'CONFIG_INVALID') {
        const n = err.details.split('\n').length;
        return `${err.details}\nerror: ${n} validation error${n === 1 ? '' : 's'}; nothing was changed`;
      }
      return `error: ${err.details}`;
    case grpc.status.FAILED_PRECONDITION:
      return `error: conflict: ${err.details}`;
    case grpc.status.NOT_FOUND:
      return `error: ${err.details}`;
    case grpc.status.UNAVAILABLE:
      return err.errorCode ? `error: ${err.details}` : unreachable(address).message;
    case grpc.status.DEADLINE_EXCEEDED:
      return `error: Galley at ${address} did not answer in time`;
    default:
      return `error: ${err.statusName}: ${err.details}`;
  }
}

/** `virtualservice.networking.istio.io` for messages, as kubectl names kinds. */
export function kindLabel(kind: string): string {
  const info: KindInfo | undefined = findKind(kind);
  return info ? `${info.singular}.${info.group}` : kind.toLowerCase();
}

export function exitUsage(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 2;
}
