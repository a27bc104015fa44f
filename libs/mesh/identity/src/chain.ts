// Certificate chains, checked with Node's X509Certificate: every link signed
// by the next, every issuer a CA, everything inside its validity, and the path
// ends at a trusted root. Citadel checks renewal certificates with it; a
// workload checks what Citadel answered before it uses it.
import { X509Certificate } from 'node:crypto';
import { fail, ok, type Result } from '@sextant/util';

export interface VerifiedChain {
  /** URI SANs of the leaf. */
  uris: string[];
  /** Fingerprint of the trusted root the path ended at. */
  root: string;
}

const CERT_PEM_RE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** Every CERTIFICATE block of a PEM text (or texts), normalised. */
export function splitPem(text: string | readonly string[]): string[] {
  const joined = typeof text === 'string' ? text : text.join('\n');
  const out: string[] = [];
  for (const m of joined.matchAll(CERT_PEM_RE)) {
    const body = m[1].replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length === 0) continue;
    out.push(`-----BEGIN CERTIFICATE-----\n${body.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`);
  }
  return out;
}

/** A certificate's subject on one line ('' when empty, as for workload certificates). */
export function subjectText(cert: X509Certificate): string {
  return (cert.subject ?? '').replace(/\n/g, ', ');
}

/** URI entries of a certificate's subjectAltName. */
export function uriSans(cert: X509Certificate): string[] {
  return sanEntries(cert)
    .filter((s) => s.startsWith('URI:'))
    .map((s) => s.slice(4));
}

/** Every subjectAltName entry as Node prints it ("URI:...", "DNS:...", "IP Address:..."). */
export function sanEntries(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '').split(/,\s*/).filter(Boolean);
}

export function verifyChain(chainPems: string | readonly string[], trustedRoots: string | readonly string[], now = new Date()): Result<VerifiedChain, string> {
  let chain: X509Certificate[];
  let roots: X509Certificate[];
  try {
    chain = splitPem(chainPems).map((p) => new X509Certificate(p));
    roots = splitPem(trustedRoots).map((p) => new X509Certificate(p));
  } catch (err) {
    return fail(`unreadable certificate: ${(err as Error).message}`);
  }
  if (chain.length === 0) return fail('the chain is empty');
  if (roots.length === 0) return fail('no trusted roots');
  const t = now.getTime();
  const inWindow = (c: X509Certificate) => Date.parse(c.validFrom) <= t && t <= Date.parse(c.validTo);
  const signedBy = (c: X509Certificate, issuer: X509Certificate) => c.checkIssued(issuer) && c.verify(issuer.publicKey);

  let cert = chain[0];
  for (let depth = 0; depth <= chain.length; depth++) {
    if (!inWindow(cert)) return fail(`${describe(cert, depth)} is outside its validity (${cert.validFrom} .. ${cert.validTo})`);
    const trusted = roots.find((r) => r.fingerprint256 === cert.fingerprint256 || signedBy(cert, r));
    if (trusted) {
      if (trusted.fingerprint256 !== cert.fingerprint256 && !trusted.ca) return fail('the trusted root is not a CA');
      if (!inWindow(trusted)) return fail(`trusted root ${trusted.subject} is outside its validity`);
      return ok({ uris: uriSans(chain[0]), root: trusted.fingerprint256 });
    }
    const next = chain.slice(1).find((c) => c !== cert && signedBy(cert, c));
    if (!next) return fail(`${describe(cert, depth)} is not signed by any certificate in the chain or the trusted roots`);
    if (!next.ca) return fail(`${describe(next, depth + 1)} signs certificates but is not a CA`);
    cert = next;
  }
  return fail('the chain loops');
}

function describe(cert: X509Certificate, depth: number): string {
  const subject = subjectText(cert) || uriSans(cert).join(', ') || '(empty subject)';
  return depth === 0 ? `the leaf (${subject})` : `chain certificate ${depth} (${subject})`;
}

export interface IssuedChainCheck {
  leaf: X509Certificate;
  root: string;
}

/**
 * What a workload checks in a chain Citadel answered: it verifies against
 * the trusted roots, the leaf is not a CA, it names exactly the identity
 * asked for and nothing else, and it certifies the key we hold.
 */
export function checkIssuedChain(
  chain: readonly string[],
  roots: readonly string[],
  expected: { spiffeId: string; publicKeyDer?: Buffer },
  now = new Date(),
): Result<IssuedChainCheck, string> {
  const verified = verifyChain(chain, roots, now);
  if (!verified.ok) return verified;
  const leaf = new X509Certificate(splitPem(chain)[0]);
  if (leaf.ca) return fail('the leaf is a CA certificate');
  const names = sanEntries(leaf);
  if (names.length !== 1 || names[0] !== `URI:${expected.spiffeId}`) {
    return fail(`the leaf names ${names.join(', ') || 'nothing'}, not exactly URI:${expected.spiffeId}`);
  }
  if (expected.publicKeyDer && !leaf.publicKey.export({ type: 'spki', format: 'der' }).equals(expected.publicKeyDer)) {
    return fail('the leaf certifies another public key than the one in the CSR');
  }
  return ok({ leaf, root: verified.value.root });
}
