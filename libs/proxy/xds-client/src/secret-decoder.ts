// Secret decoder (SDS over ADS). Secrets are kept for TLS, which arrives with
// security; the private key never appears in dumps.
import type { Secret__Output } from '@sextant/proto';
import type { SecretConfig } from './cluster-types';
import { Issues, type Decoded } from './decode-support';

interface DataSourceLike {
  inlineString?: string;
  inlineBytes?: Uint8Array;
  filename?: string;
  specifier?: string;
}

function text(ds: DataSourceLike | null | undefined, path: string, issues: Issues): string | undefined {
  if (!ds) return undefined;
  if (ds.specifier === 'inlineString') return ds.inlineString ?? '';
  if (ds.specifier === 'inlineBytes') return Buffer.from(ds.inlineBytes ?? []).toString('utf8');
  issues.error(path, `data source ${ds.specifier ?? '(none)'} is not supported (inline only)`);
  return undefined;
}

export function decodeSecret(msg: Secret__Output): Decoded<SecretConfig> {
  const issues = new Issues();
  const path = `Secret[${msg.name}]`;
  if (!msg.name) issues.error(`${path}.name`, 'empty secret name');
  const out: SecretConfig = { name: msg.name, kind: 'other' };
  if (msg.type === 'tlsCertificate' && msg.tlsCertificate) {
    out.kind = 'tls-certificate';
    const chain = text(msg.tlsCertificate.certificateChain as DataSourceLike, `${path}.tlsCertificate.certificateChain`, issues);
    const key = text(msg.tlsCertificate.privateKey as DataSourceLike, `${path}.tlsCertificate.privateKey`, issues);
    if (chain !== undefined) out.certificateChain = chain;
    if (key !== undefined) out.privateKey = key;
  } else if (msg.type === 'validationContext' && msg.validationContext) {
    out.kind = 'validation-context';
    const ca = text(msg.validationContext.trustedCa as DataSourceLike, `${path}.validationContext.trustedCa`, issues);
    if (ca !== undefined) out.trustedCa = ca;
  } else {
    issues.warn(path, `secret type ${msg.type ?? '(none)'} is kept but not used`);
  }
  return issues.result(out);
}
