// Server-side TLS settings (Gateway servers, Sidecar ingress listeners):
// what each mode requires and forbids.
import type { ServerTLSSettings } from '@sextant/config-model';
import type { Findings } from '../findings';
import { fieldPath as at } from '../issue';

const CIPHER_SUITES = new Set([
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-RSA-AES256-SHA',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-SHA',
  'AES256-SHA',
  'DES-CBC3-SHA',
]);

/** BoringSSL cipher expressions may start with an operator (`-`, `+`, `!`, `[`); those pass unchecked. */
function isValidCipherSuite(cs: string): boolean {
  if (cs === '' || cs === 'ALL') return true;
  if (!/^[A-Za-z0-9]/.test(cs)) return true;
  return CIPHER_SUITES.has(cs);
}

export function checkServerTls(f: Findings, path: string, tls: ServerTLSSettings | undefined): void {
  if (!tls) return;
  if ((tls.minProtocolVersion === 'TLSV1_0' || tls.minProtocolVersion === 'TLSV1_1') && (tls.cipherSuites?.length ?? 0) === 0) {
    f.warn(at(path, 'minProtocolVersion'), 'SUSPICIOUS', 'TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.');
  }
  const invalid = new Set<string>();
  const seen = new Set<string>();
  const duplicate = new Set<string>();
  for (const cs of tls.cipherSuites ?? []) {
    if (!isValidCipherSuite(cs)) invalid.add(cs);
    else if (seen.has(cs)) duplicate.add(cs);
    else seen.add(cs);
  }
  if (invalid.size > 0) f.warn(at(path, 'cipherSuites'), 'IGNORED', `ignoring invalid cipher suites: ${[...invalid].sort().join(', ')}`);
  if (duplicate.size > 0) f.warn(at(path, 'cipherSuites'), 'IGNORED', `ignoring duplicate cipher suites: ${[...duplicate].sort().join(', ')}`);

  if (tls.mode === 'ISTIO_MUTUAL') {
    const forbidden: [keyof ServerTLSSettings, string][] = [
      ['serverCertificate', 'server certificate'],
      ['privateKey', 'private key'],
      ['caCertificates', 'CA bundle'],
      ['tlsCertificates', 'tlsCertificates'],
      ['credentialName', 'credentialName'],
      ['credentialNames', 'credentialNames'],
    ];
    for (const [field, what] of forbidden) {
      const v = tls[field];
      if (v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)) f.error(at(path, field), 'INVALID_TLS', `ISTIO_MUTUAL TLS cannot have associated ${what}`);
    }
    return;
  }
  const credentialNames = tls.credentialNames?.length ?? 0;
  const certificates = tls.tlsCertificates?.length ?? 0;
  if (tls.mode === 'PASSTHROUGH' || tls.mode === 'AUTO_PASSTHROUGH') {
    if (tls.caCrl || tls.serverCertificate || tls.privateKey || tls.caCertificates || certificates > 0 || tls.credentialName || credentialNames > 0) {
      f.warn(path, 'IGNORED', `${tls.mode} mode does not use certificates, they will be ignored`);
    }
  }
  const sources = [tls.serverCertificate && tls.privateKey, tls.credentialName, credentialNames > 0, certificates > 0].filter(Boolean).length;
  if (sources > 1) f.error(path, 'INVALID_TLS', 'only one of credentialName, credentialNames, serverCertificate/privateKey, tlsCertificates should be specified');

  const simpleOrMutual = tls.mode === 'SIMPLE' || tls.mode === 'MUTUAL' || tls.mode === 'OPTIONAL_MUTUAL';
  if (simpleOrMutual && (tls.credentialName || credentialNames > 0)) return; // certificates come from the credential
  if (simpleOrMutual) {
    const mode = tls.mode === 'SIMPLE' ? 'SIMPLE TLS' : 'MUTUAL TLS';
    if (tls.mode !== 'SIMPLE' && !tls.caCertificates) f.error(at(path, 'caCertificates'), 'INVALID_TLS', `${mode} requires a client CA bundle (caCertificates) or a credentialName`);
    if (certificates > 2) f.warn(at(path, 'tlsCertificates'), 'SUSPICIOUS', `${mode} can support up to 2 server certificates`);
    const pairs = certificates > 0
      ? (tls.tlsCertificates ?? []).map((c, i) => ({ cert: c.serverCertificate, key: c.privateKey, at: `${path}.tlsCertificates[${i}]` }))
      : [{ cert: tls.serverCertificate, key: tls.privateKey, at: path }];
    for (const pair of pairs) {
      if (!pair.cert) f.error(at(pair.at, 'serverCertificate'), 'INVALID_TLS', `${mode} requires a server certificate (serverCertificate) or a credentialName`);
      if (!pair.key) f.error(at(pair.at, 'privateKey'), 'INVALID_TLS', `${mode} requires a private key (privateKey) or a credentialName`);
    }
  }
  if (tls.caCrl) {
    if (tls.credentialName) f.error(at(path, 'caCrl'), 'INVALID_TLS', 'CRL is not supported with credentialName. CRL has to be specified in the credential');
    if (tls.mode === 'SIMPLE') f.error(at(path, 'caCrl'), 'INVALID_TLS', 'CRL is not supported with SIMPLE TLS');
  }
}
