// How the local mesh's proxies reach Pilot. With Citadel on, xDS goes over
// mTLS to Pilot's TLS port (15012): Pilot holds its own certificate from
// Citadel (a bootstrap token for PILOT_IDENTITY, like every proxy's), each
// proxy presents its workload certificate, so every control-plane hop from
// a proxy is authenticated. Without Citadel: plaintext 15010.
import { join } from 'node:path';
import type { Logger } from '@sextant/util';
import type { ComponentState, MeshState } from './state';
import { BootstrapTokenMinter, PILOT_IDENTITY } from './workload-tokens';

/** Mints bootstrap tokens from Citadel's admin endpoint into <stateDir>/tokens. */
export function citadelTokenMinter(host: string, citadel: ComponentState, stateDir: string, logger: Logger): BootstrapTokenMinter {
  return new BootstrapTokenMinter({ adminUrl: `http://${host}:${citadel.ports['admin']}`, citadelDataDir: join(stateDir, 'data', 'citadel'), dir: join(stateDir, 'tokens'), logger });
}

/** PILOT_ADDRESS and PROXY_XDS_TLS for a proxy (sidecar or gateway). */
export function proxyPilotEnv(host: string, state: MeshState, tls: boolean): Record<string, string> {
  const pilot = state.components.find((c) => c.name === 'pilot');
  if (tls) return { PILOT_ADDRESS: `${host}:${pilot?.ports['xdsTls'] ?? 15012}`, PROXY_XDS_TLS: 'on' };
  return { PILOT_ADDRESS: `${host}:${pilot?.ports['xds'] ?? 15010}`, PROXY_XDS_TLS: 'off' };
}

/** Pilot's identity settings (its certificate's SPIFFE namespace and service account). */
export function pilotIdentityEnv(): Record<string, string> {
  return { POD_NAMESPACE: PILOT_IDENTITY.namespace, PILOT_SERVICE_ACCOUNT: PILOT_IDENTITY.serviceAccount };
}
