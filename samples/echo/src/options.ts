// Who this echo instance is: the workload environment (SEXTANT_*), with a few
// flags on top for running by hand. Port flags replace the environment's ports.
import { parseArgs } from 'node:util';
import { PORT_PROTOCOLS, workloadFromEnv, type PortProtocol, type WorkloadIdentity, type WorkloadPort } from '@sextant/workloads';

export const USAGE = `usage: echo [--service NAME] [--version V] [--instance ID] [--namespace NS] [--address IP]
            [--http PORT]... [--http2 PORT]... [--grpc PORT]... [--tcp PORT]... [--tcp-prefix TEXT] [--log-level LEVEL]
Without port flags the ports come from SEXTANT_PORTS; without either: --http 8080 --grpc 7070.
--tcp-prefix (or ECHO_TCP_PREFIX): TCP ports write it before echoing a connection's bytes.`;

export interface EchoOptions {
  identity: WorkloadIdentity;
  logLevel: string;
  /** TCP ports: text written before the first echoed bytes of each connection. */
  tcpPrefix?: string;
  help: boolean;
}

const PORT_FLAGS: Record<string, PortProtocol> = { http: 'HTTP', http2: 'HTTP2', grpc: 'GRPC', tcp: 'TCP' };

function parsePort(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new Error(`--${flag} ${JSON.stringify(raw)}: want a port number 0-65535`);
  return Number(raw);
}

export function parseEchoOptions(argv: string[], env: Record<string, string | undefined> = process.env): EchoOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      service: { type: 'string' },
      version: { type: 'string' },
      instance: { type: 'string' },
      namespace: { type: 'string' },
      address: { type: 'string' },
      http: { type: 'string', multiple: true },
      http2: { type: 'string', multiple: true },
      grpc: { type: 'string', multiple: true },
      tcp: { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      'tcp-prefix': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const identity = workloadFromEnv(env);
  if (values.service) {
    identity.service = values.service;
    if (!env.SEXTANT_WORKLOAD) identity.name = values.service;
    if (!env.SEXTANT_INSTANCE) identity.instance = `${values.service}-0`;
  }
  if (identity.service === 'unknown' && !env.SEXTANT_SERVICE) {
    identity.service = 'echo';
    if (!env.SEXTANT_WORKLOAD) identity.name = 'echo';
    if (!env.SEXTANT_INSTANCE) identity.instance = 'echo-0';
  }
  if (values.version !== undefined) identity.version = values.version;
  if (values.instance) identity.instance = values.instance;
  if (values.namespace) identity.namespace = values.namespace;
  if (values.address) identity.address = values.address;

  const fromFlags: WorkloadPort[] = [];
  for (const [flag, protocol] of Object.entries(PORT_FLAGS)) {
    for (const raw of (values[flag as keyof typeof values] as string[] | undefined) ?? []) {
      const port = parsePort(flag, raw);
      fromFlags.push({ name: `${flag}-${port}`, port, protocol });
    }
  }
  if (fromFlags.length > 0) identity.ports = fromFlags;
  if (identity.ports.length === 0) {
    identity.ports = [
      { name: 'http', port: 8080, protocol: 'HTTP' },
      { name: 'grpc', port: 7070, protocol: 'GRPC' },
    ];
  }
  for (const p of identity.ports) {
    if (!PORT_PROTOCOLS.includes(p.protocol)) {
      throw new Error(`port ${p.name} (${p.port}): unknown protocol ${JSON.stringify(p.protocol)}; want one of ${PORT_PROTOCOLS.join(', ')}`);
    }
  }
  const tcpPrefix = values['tcp-prefix'] ?? env.ECHO_TCP_PREFIX;
  return { identity, logLevel: values['log-level'] ?? env.LOG_LEVEL ?? 'info', ...(tcpPrefix ? { tcpPrefix } : {}), help: values.help ?? false };
}
