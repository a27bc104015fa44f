// Secure contexts for the TLS transport sockets, built from decoded TLS
// configs and the secrets they name. A context is cached per config object
// and rebuilt when any secret changes (provider notification or a new SDS
// snapshot), so new connections use the newest certificate while
// established ones keep theirs. File-based PEM is re-read at most every few
// seconds (files rotate without notification).
import { readFileSync } from 'node:fs';
import tls, { type PeerCertificate, type SecureContext } from 'node:tls';
import type { CertificateSource, CommonTlsConfig, DownstreamTlsConfig, PemSource, SecretConfig, TrustSource, UpstreamTlsConfig } from '@sextant/xds-client';
import type { SecretProvider } from './secrets';
import { checkPeerIdentity } from './tls-verify';

const FILE_RECHECK_MS = 5_000;

export interface ServerTls {
  context: SecureContext;
  requestCert: boolean;
  /** node rejects missing or untrusted client certificates during the handshake. */
  rejectUnauthorized: boolean;
}

export interface ClientTls {
  context: SecureContext;
  rejectUnauthorized: boolean;
  checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined;
}

interface Entry<T> {
  generation: number;
  expires: number;
  value: T | Error;
}

export class TlsError extends Error {}

/** Envoy-like ssl.* counters, proxy-wide (downstream: listeners, upstream: clusters). */
export interface TlsStats {
  downstream_handshake: number;
  downstream_connection_error: number;
  downstream_fail_verify_no_cert: number;
  downstream_fail_verify_error: number;
  downstream_fail_verify_san: number;
  /** Connections closed because the chain's certificate or roots were not available. */
  downstream_context_unavailable: number;
  upstream_handshake: number;
  upstream_context_unavailable: number;
}

export class TlsContexts {
  readonly stats: TlsStats = {
    downstream_handshake: 0,
    downstream_connection_error: 0,
    downstream_fail_verify_no_cert: 0,
    downstream_fail_verify_error: 0,
    downstream_fail_verify_san: 0,
    downstream_context_unavailable: 0,
    upstream_handshake: 0,
    upstream_context_unavailable: 0,
  };
  private generation = 0;
  private readonly servers = new WeakMap<DownstreamTlsConfig, Entry<ServerTls>>();
  private readonly clients = new WeakMap<UpstreamTlsConfig, Entry<ClientTls>>();
  private readonly unsubscribe: (() => void) | undefined;

  constructor(
    private readonly provider: SecretProvider | undefined,
    private readonly sdsSecrets: () => ReadonlyMap<string, SecretConfig>,
    /** This proxy's own SPIFFE identity (XFCC By=). */
    readonly selfPrincipal: string,
  ) {
    this.unsubscribe = provider?.onChange(() => this.secretsChanged());
  }

  /** Secrets changed: the next connection builds its context anew. */
  secretsChanged(): void {
    this.generation++;
  }

  close(): void {
    this.unsubscribe?.();
  }

  server(cfg: DownstreamTlsConfig): ServerTls | Error {
    return this.cached(this.servers, cfg, () => {
      const v = cfg.common.validation;
      const context = this.buildContext(cfg.common);
      return { context, requestCert: v !== undefined, rejectUnauthorized: cfg.requireClientCertificate && v?.trust !== undefined && !v.allowExpired };
    });
  }

  client(cfg: UpstreamTlsConfig): ClientTls | Error {
    return this.cached(this.clients, cfg, () => {
      const v = cfg.common.validation;
      const context = this.buildContext(cfg.common);
      const checkServerIdentity = (_host: string, cert: PeerCertificate): Error | undefined => {
        if (!v) return undefined;
        if (v.sanMatchers.length > 0 || v.certificateHashes.length > 0) {
          const why = checkPeerIdentity(cert, v);
          return why ? Object.assign(new Error(`upstream ${why}`), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }) : undefined;
        }
        // No SAN matchers: the SNI names the server (SIMPLE/MUTUAL origination); mesh SNIs (outbound_…) name clusters, not hosts.
        if (cfg.sni && !cfg.sni.startsWith('outbound_') && v.trust !== undefined) return tls.checkServerIdentity(cfg.sni, cert);
        return undefined;
      };
      return { context, rejectUnauthorized: v?.trust !== undefined && !v.allowExpired, checkServerIdentity };
    });
  }

  private cached<K extends object, T>(map: WeakMap<K, Entry<T>>, key: K & { common: CommonTlsConfig }, build: () => T): T | Error {
    const e = map.get(key);
    if (e && e.generation === this.generation && Date.now() < e.expires) return e.value;
    let value: T | Error;
    try {
      value = build();
    } catch (err) {
      value = err instanceof TlsError ? err : new TlsError(`TLS context: ${(err as Error).message}`);
    }
    map.set(key, { generation: this.generation, expires: usesFiles(key.common) ? Date.now() + FILE_RECHECK_MS : Infinity, value });
    return value;
  }

  private buildContext(c: CommonTlsConfig): SecureContext {
    const opts: tls.SecureContextOptions = {};
    if (c.certificate) Object.assign(opts, this.certificate(c.certificate));
    const trust = c.validation?.trust;
    // System roots: node's default store (bundled roots plus NODE_EXTRA_CA_CERTS), by leaving `ca` unset.
    if (trust && trust.kind !== 'system') opts.ca = this.trusted(trust);
    if (c.minVersion) opts.minVersion = c.minVersion;
    if (c.maxVersion) opts.maxVersion = c.maxVersion;
    if (c.ciphers) opts.ciphers = c.ciphers;
    if (c.ecdhCurves) opts.ecdhCurve = c.ecdhCurves;
    return tls.createSecureContext(opts);
  }

  private certificate(src: CertificateSource): { cert: string; key: string } {
    if (src.kind === 'static') return { cert: readPem(src.certChain), key: readPem(src.privateKey) };
    const p = this.provider?.get(src.name);
    if (p?.kind === 'tlsCertificate') return { cert: p.certChainPem, key: p.privateKeyPem };
    const s = this.sdsSecrets().get(src.name);
    if (s?.kind === 'tls-certificate' && s.certificateChain && s.privateKey) return { cert: s.certificateChain, key: s.privateKey };
    throw new TlsError(`TLS certificate secret ${src.name} is not available`);
  }

  private trusted(src: Exclude<TrustSource, { kind: 'system' }>): string {
    if (src.kind === 'pem') return readPem(src.source);
    const p = this.provider?.get(src.name);
    if (p?.kind === 'validationContext') return p.trustedCaPem;
    const s = this.sdsSecrets().get(src.name);
    if (s?.kind === 'validation-context' && s.trustedCa) return s.trustedCa;
    throw new TlsError(`validation context secret ${src.name} is not available`);
  }
}

function readPem(src: PemSource): string {
  if (src.kind === 'inline') return src.pem;
  try {
    return readFileSync(src.path, 'utf8');
  } catch (err) {
    throw new TlsError(`cannot read ${src.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function usesFiles(c: CommonTlsConfig): boolean {
  const cert = c.certificate;
  if (cert?.kind === 'static' && (cert.certChain.kind === 'file' || cert.privateKey.kind === 'file')) return true;
  const t = c.validation?.trust;
  return t?.kind === 'pem' && t.source.kind === 'file';
}
