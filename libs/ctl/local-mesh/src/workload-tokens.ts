// Bootstrap tokens for the local mesh's proxies. Outside Kubernetes a proxy
// proves who it is to Citadel with a single-use token Citadel issued for
// exactly its identity. The runner mints one per proxy start from Citadel's
// admin endpoint (loopback, with the admin secret from Citadel's data dir,
// which this runner chose) and writes it to a 0600 file under the state dir
// that the proxy reads (SEXTANT_BOOTSTRAP_TOKEN_FILE). A restarted proxy gets
// a fresh token: the one it used is spent.
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@sextant/util';
import { requestBootstrapToken } from '@sextant/workload-identity';

/** Istio's ingress gateway identity (what the proxy takes when no workload is named). */
export const INGRESS_GATEWAY_IDENTITY = { namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account' } as const;

/** Pilot's identity (its serving certificate for xDS over TLS): istiod's namespace, Sextant's service account. */
export const PILOT_IDENTITY = { namespace: 'istio-system', serviceAccount: 'sextant-pilot' } as const;

export interface BootstrapTokenMinterOptions {
  /** Citadel's admin base URL (loopback). */
  adminUrl: string;
  /** Citadel's SEXTANT_DATA_DIR (holds admin.secret). */
  citadelDataDir: string;
  /** Where token files go (created 0700). */
  dir: string;
  logger: Logger;
  ttlSeconds?: number;
}

export class BootstrapTokenMinter {
  constructor(private readonly opts: BootstrapTokenMinterOptions) {
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    chmodSync(opts.dir, 0o700);
  }

  /** The token file of one proxy. */
  path(name: string): string {
    return join(this.opts.dir, `${name}.token`);
  }

  /** Mints a single-use token for exactly this identity and (re)writes the proxy's token file; returns its path. */
  async write(name: string, identity: { namespace: string; serviceAccount: string }): Promise<string> {
    const issued = await requestBootstrapToken(
      { adminUrl: this.opts.adminUrl, dataDir: this.opts.citadelDataDir },
      { namespace: identity.namespace, serviceAccount: identity.serviceAccount, ttlSeconds: this.opts.ttlSeconds ?? 900, uses: 1 },
    );
    const file = this.path(name);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${issued.token}\n`, { mode: 0o600 });
    renameSync(tmp, file);
    this.opts.logger.debug({ proxy: name, spiffeId: issued.spiffeId, tokenId: issued.id, expiresAt: issued.expiresAt }, 'bootstrap token minted');
    return file;
  }
}
