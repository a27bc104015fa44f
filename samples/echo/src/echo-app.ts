// Starts one echo instance: a server per port, all bound on the workload's
// address, sharing counters and the mesh client; stops them together.
import { silentLogger, type Logger } from '@sextant/util';
import { MeshClient, type WorkloadIdentity, type WorkloadPort } from '@sextant/workloads';
import { EchoStats } from './behaviour';
import type { EchoContext, RunningServer } from './echo-context';
import { startGrpcServer } from './grpc-server';
import { startHttpServer } from './http-server';
import { startTcpServer } from './tcp-server';

export interface EchoApp {
  context: EchoContext;
  servers: RunningServer[];
  /** Bound port of the first server with this protocol (useful with port 0). */
  port(protocol: WorkloadPort['protocol']): number;
  close(graceMs?: number): Promise<void>;
}

export interface EchoAppOptions {
  log?: Logger;
  /** Environment for the mesh client (SEXTANT_OUTBOUND_PROXY, SEXTANT_SERVICES). */
  env?: Record<string, string | undefined>;
  /** TCP ports: prefix the echo of each connection with this text. */
  tcpPrefix?: string;
}

function startOne(ctx: EchoContext, p: WorkloadPort): Promise<RunningServer> {
  const address = ctx.identity.address;
  switch (p.protocol) {
    case 'HTTP':
    case 'HTTP2':
      return startHttpServer(ctx, address, p.port, p.protocol);
    case 'GRPC':
      return startGrpcServer(ctx, address, p.port);
    case 'TCP':
      return startTcpServer(ctx, address, p.port);
  }
}

export async function startEcho(identity: WorkloadIdentity, opts: EchoAppOptions = {}): Promise<EchoApp> {
  const context: EchoContext = {
    identity,
    stats: new EchoStats(),
    log: opts.log ?? silentLogger(),
    mesh: new MeshClient(opts.env ?? process.env),
    ...(opts.tcpPrefix ? { tcpPrefix: opts.tcpPrefix } : {}),
  };
  const servers: RunningServer[] = [];
  const close = async (graceMs = 5000) => {
    await Promise.all(servers.map((s) => s.close(graceMs)));
    context.mesh.close();
  };
  try {
    for (const p of identity.ports) servers.push(await startOne(context, p));
  } catch (err) {
    await close(0);
    throw err;
  }
  const port = (protocol: WorkloadPort['protocol']) => {
    const s = servers.find((x) => x.protocol === protocol);
    if (!s) throw new Error(`no ${protocol} port on ${identity.instance}`);
    return s.port;
  };
  return { context, servers, port, close };
}
