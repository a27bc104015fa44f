// `sextant proxy-config secret PROXY`: the proxy's own secrets, as istioctl
// shows Envoy's: the workload certificate (`default`) and the trusted roots
// (`ROOTCA`) from the proxy's admin /certs (its certificate manager, never
// sent by Pilot). The proxy's admin address comes from --proxy-admin or the
// local mesh's state.
import { runningMesh } from '@sextant/local-mesh';
import { stateDir } from '../paths';
import { CliError } from './proxy-status';

interface CertInfo {
  serial_number: string;
  expiration_time: string;
  valid_from: string;
  seconds_until_expiration: string;
}

export interface CertsReport {
  certificates: { ca_cert: CertInfo[]; cert_chain: CertInfo[] }[];
  identity: string | null;
  state: string;
  detail?: string;
}

/** The admin URL of the proxy with this xDS node id (kind~ip~instance.namespace~domain). */
export function proxyAdminUrl(nodeId: string, flag: string | undefined): string {
  if (flag) return flag.replace(/\/+$/, '');
  const mesh = runningMesh(stateDir());
  const [kind, ip, instance] = nodeId.split('~');
  const sidecar = mesh?.workloads.find((w) => w.sidecar && w.address === ip && instance?.startsWith(`${w.instance}.`));
  if (kind === 'sidecar' && sidecar?.sidecar) return `http://${sidecar.address}:${sidecar.sidecar.admin}`;
  const gateway = kind === 'router' ? mesh?.components.find((c) => mesh.gateways.some((g) => g.name === c.name)) : undefined;
  if (gateway?.ports['admin']) return `http://${gateway.host}:${gateway.ports['admin']}`;
  throw new CliError(`cannot tell where the admin port of ${nodeId} is: pass --proxy-admin http://HOST:PORT`);
}

export async function fetchCerts(adminUrl: string): Promise<CertsReport> {
  let res: Response;
  try {
    res = await fetch(`${adminUrl}/certs`, { signal: AbortSignal.timeout(5_000) });
  } catch (err) {
    throw new CliError(`the proxy admin at ${adminUrl} did not answer: ${(err as Error).message}`);
  }
  if (!res.ok) throw new CliError(`the proxy admin at ${adminUrl} answered ${res.status} to /certs`);
  return (await res.json()) as CertsReport;
}

/** istioctl's secret table: RESOURCE NAME, TYPE, STATUS, VALID CERT, SERIAL NUMBER, NOT AFTER, NOT BEFORE. */
export function certRows(report: CertsReport, now = Date.now()): string[][] {
  const rows = [['RESOURCE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE']];
  const valid = (c: CertInfo) => String(Date.parse(c.valid_from) <= now && now < Date.parse(c.expiration_time));
  for (const cert of report.certificates) {
    const leaf = cert.cert_chain[0];
    if (leaf) rows.push(['default', 'Cert Chain', report.state === 'VALID' ? 'ACTIVE' : report.state, valid(leaf), leaf.serial_number, leaf.expiration_time, leaf.valid_from]);
    for (const root of cert.ca_cert) rows.push(['ROOTCA', 'CA', 'ACTIVE', valid(root), root.serial_number, root.expiration_time, root.valid_from]);
  }
  if (rows.length === 1) rows.push(['default', 'Cert Chain', report.state, 'false', '-', '-', '-']);
  return rows;
}
