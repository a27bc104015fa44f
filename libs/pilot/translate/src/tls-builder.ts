// TLS contexts: upstream (DestinationRule tls: ISTIO_MUTUAL, SIMPLE, MUTUAL,
// DISABLE) and downstream (Gateway server tls). Secrets are named by
// reference for SDS the way Istio names them: `default` (workload cert) and
// `ROOTCA` for mesh mTLS, `kubernetes://<credentialName>` and
// `kubernetes://<credentialName>-cacert` for credentialName. Proxyless gRPC
// uses certificate provider instances instead of SDS.
import type { ClientTLSSettings, ServerTLSSettings } from '@sextant/config-model';
import type { TranslateContext } from './context';
import type { EnvoyObject } from './envoy-types';
import { FILTER, TYPED } from './type-urls';
import { struct, typed, ZERO_DURATION } from './values';

export const WORKLOAD_CERT_SECRET = 'default';
export const ROOT_CA_SECRET = 'ROOTCA';
/**
 * Secrets a sidecar or gateway resolves from its own certificate manager
 * (istio-agent's local SDS server): Pilot never serves them, whatever
 * `sdsConfig` says; every other SDS name is a credential Pilot serves when a
 * registry has it.
 */
export const LOCAL_SECRETS: ReadonlySet<string> = new Set([WORKLOAD_CERT_SECRET, ROOT_CA_SECRET]);
export const ALPN_IN_MESH_HTTP = ['istio-http/1.0', 'istio-http/1.1', 'istio-h2'];
export const ALPN_IN_MESH_TCP = ['istio-peer-exchange', 'istio'];

export function credentialSecret(name: string): string {
  return name.includes('://') ? name : `kubernetes://${name}`;
}

export function credentialCaSecret(name: string): string {
  return `${credentialSecret(name)}-cacert`;
}

function sdsConfig(ctx: TranslateContext): EnvoyObject {
  const src = ctx.options.sdsSource ?? 'ads';
  if (src === 'ads') return { ads: {}, initialFetchTimeout: ZERO_DURATION, resourceApiVersion: 'V3' };
  return {
    apiConfigSource: { apiType: 'GRPC', transportApiVersion: 'V3', setNodeOnFirstMessageOnly: true, grpcServices: [{ envoyGrpc: { clusterName: src.clusterName } }] },
    initialFetchTimeout: ZERO_DURATION,
    resourceApiVersion: 'V3',
  };
}

/** An SDS secret reference; records the name in ctx.secrets. */
export function sdsSecret(ctx: TranslateContext, name: string): EnvoyObject {
  ctx.secrets.add(name);
  return { name, sdsConfig: sdsConfig(ctx) };
}

function sanMatchers(sans: readonly string[] | undefined): EnvoyObject[] | undefined {
  return sans && sans.length > 0 ? [...sans].sort().map((s) => ({ exact: s })) : undefined;
}

function tlsSocket(url: string, fields: EnvoyObject): EnvoyObject {
  return { name: FILTER.tlsTransportSocket, typedConfig: typed(url, fields) };
}

export interface UpstreamTlsInput {
  tls: ClientTLSSettings | undefined;
  /** SNI when the settings name none (Istio's outbound_.port_.subset_.host for ISTIO_MUTUAL; the host for SIMPLE/MUTUAL). */
  defaultSni: string | undefined;
  istioSni: string;
  /** Identities to verify for ISTIO_MUTUAL (spiffe://...). */
  serviceAccounts: readonly string[];
  http: boolean;
}

/** The mesh's own mTLS (ISTIO_MUTUAL) to an upstream. */
export function istioMutualTls(ctx: TranslateContext, sni: string, serviceAccounts: readonly string[], http: boolean): EnvoyObject {
  const sans = sanMatchers(serviceAccounts);
  if (ctx.proxy.proxyless) {
    return tlsSocket(TYPED.upstreamTls, {
      commonTlsContext: {
        tlsCertificateProviderInstance: { instanceName: 'default', certificateName: WORKLOAD_CERT_SECRET },
        validationContext: { caCertificateProviderInstance: { instanceName: 'default', certificateName: ROOT_CA_SECRET }, ...(sans ? { matchSubjectAltNames: sans } : {}) },
      },
      sni,
    });
  }
  return tlsSocket(TYPED.upstreamTls, {
    commonTlsContext: {
      tlsCertificateSdsSecretConfigs: [sdsSecret(ctx, WORKLOAD_CERT_SECRET)],
      combinedValidationContext: {
        defaultValidationContext: sans ? { matchSubjectAltNames: sans } : {},
        validationContextSdsSecretConfig: sdsSecret(ctx, ROOT_CA_SECRET),
      },
      alpnProtocols: http ? ALPN_IN_MESH_HTTP : ALPN_IN_MESH_TCP,
    },
    sni,
  });
}

/** The upstream transport socket a DestinationRule's tls asks for; undefined for DISABLE or none. */
export function upstreamTls(ctx: TranslateContext, input: UpstreamTlsInput): EnvoyObject | undefined {
  const tls = input.tls;
  if (!tls || !tls.mode || tls.mode === 'DISABLE') return undefined;
  if (tls.mode === 'ISTIO_MUTUAL') return istioMutualTls(ctx, tls.sni || input.istioSni, input.serviceAccounts, input.http);
  const common: EnvoyObject = {};
  const sans = sanMatchers(tls.subjectAltNames);
  if (!tls.insecureSkipVerify) {
    if (tls.credentialName) {
      common['combinedValidationContext'] = {
        defaultValidationContext: sans ? { matchSubjectAltNames: sans } : {},
        validationContextSdsSecretConfig: sdsSecret(ctx, credentialCaSecret(tls.credentialName)),
      };
    } else if (tls.caCertificates) {
      common['validationContext'] = { trustedCa: { filename: tls.caCertificates }, ...(sans ? { matchSubjectAltNames: sans } : {}) };
    } else {
      // Like Istio's VERIFY_CERTIFICATE_AT_CLIENT: no CA given means the system roots, said explicitly (an Envoy
      // without a validation context would not verify the server at all).
      common['validationContext'] = { systemRootCerts: {}, ...(sans ? { matchSubjectAltNames: sans } : {}) };
    }
  } else {
    // insecureSkipVerify: no chain or SAN checks, said explicitly so every xDS client skips the same way.
    common['validationContext'] = { trustChainVerification: 'ACCEPT_UNTRUSTED' };
  }
  if (tls.mode === 'MUTUAL') {
    if (tls.credentialName) common['tlsCertificateSdsSecretConfigs'] = [sdsSecret(ctx, credentialSecret(tls.credentialName))];
    else if (tls.clientCertificate && tls.privateKey) {
      common['tlsCertificates'] = [{ certificateChain: { filename: tls.clientCertificate }, privateKey: { filename: tls.privateKey } }];
    } else ctx.warn(`DestinationRule tls MUTUAL needs credentialName or clientCertificate and privateKey`);
  }
  const sni = tls.sni || input.defaultSni;
  return tlsSocket(TYPED.upstreamTls, { commonTlsContext: common, ...(sni ? { sni } : {}) });
}

/** Transport socket matches for auto mTLS: ISTIO_MUTUAL to endpoints labelled tlsMode=istio, plaintext to the rest. */
export function autoMtlsMatches(ctx: TranslateContext, sni: string, serviceAccounts: readonly string[], http: boolean): EnvoyObject[] {
  return [
    { name: 'tlsMode-istio', match: struct({ tlsMode: 'istio' }), transportSocket: istioMutualTls(ctx, sni, serviceAccounts, http) },
    { name: 'tlsMode-disabled', match: struct({}), transportSocket: { name: FILTER.rawBufferTransportSocket, typedConfig: typed(TYPED.rawBuffer) } },
  ];
}

const TLS_VERSION: Record<string, string> = { TLS_AUTO: 'TLS_AUTO', TLSV1_0: 'TLSv1_0', TLSV1_1: 'TLSv1_1', TLSV1_2: 'TLSv1_2', TLSV1_3: 'TLSv1_3' };

/** The DownstreamTlsContext transport socket for a Gateway server's TLS settings (SIMPLE, MUTUAL, OPTIONAL_MUTUAL, ISTIO_MUTUAL). */
export function downstreamTls(ctx: TranslateContext, tls: ServerTLSSettings, alpn: readonly string[]): EnvoyObject | undefined {
  const mode = tls.mode ?? 'SIMPLE';
  if (mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') return undefined;
  const common: EnvoyObject = { alpnProtocols: [...alpn] };
  const sans = sanMatchers(tls.subjectAltNames);
  if (mode === 'ISTIO_MUTUAL') {
    common['tlsCertificateSdsSecretConfigs'] = [sdsSecret(ctx, WORKLOAD_CERT_SECRET)];
    common['combinedValidationContext'] = { defaultValidationContext: sans ? { matchSubjectAltNames: sans } : {}, validationContextSdsSecretConfig: sdsSecret(ctx, ROOT_CA_SECRET) };
  } else {
    const creds = tls.credentialNames?.length ? tls.credentialNames : tls.credentialName ? [tls.credentialName] : [];
    if (creds.length > 0) common['tlsCertificateSdsSecretConfigs'] = creds.map((c) => sdsSecret(ctx, credentialSecret(c)));
    else if (tls.serverCertificate && tls.privateKey) {
      common['tlsCertificates'] = [{ certificateChain: { filename: tls.serverCertificate }, privateKey: { filename: tls.privateKey } }];
    } else if (tls.tlsCertificates?.length) {
      common['tlsCertificates'] = tls.tlsCertificates.map((c) => ({ certificateChain: { filename: c.serverCertificate ?? '' }, privateKey: { filename: c.privateKey ?? '' } }));
    } else {
      ctx.warn(`Gateway server TLS ${mode} has no credentialName or certificate files`);
      return undefined;
    }
    if (mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL') {
      if (creds.length > 0) {
        common['combinedValidationContext'] = {
          defaultValidationContext: sans ? { matchSubjectAltNames: sans } : {},
          validationContextSdsSecretConfig: sdsSecret(ctx, tls.caCertCredentialName ? credentialSecret(tls.caCertCredentialName) : credentialCaSecret(creds[0]!)),
        };
      } else if (tls.caCertificates) {
        common['validationContext'] = { trustedCa: { filename: tls.caCertificates }, ...(sans ? { matchSubjectAltNames: sans } : {}) };
      }
    }
  }
  const params: EnvoyObject = {};
  if (tls.minProtocolVersion) params['tlsMinimumProtocolVersion'] = TLS_VERSION[tls.minProtocolVersion] ?? 'TLS_AUTO';
  if (tls.maxProtocolVersion) params['tlsMaximumProtocolVersion'] = TLS_VERSION[tls.maxProtocolVersion] ?? 'TLS_AUTO';
  if (tls.cipherSuites?.length) params['cipherSuites'] = [...tls.cipherSuites];
  if (Object.keys(params).length > 0) common['tlsParams'] = params;
  return tlsSocket(TYPED.downstreamTls, {
    commonTlsContext: common,
    requireClientCertificate: { value: mode === 'MUTUAL' || mode === 'ISTIO_MUTUAL' },
  });
}
