// A plugged-in CA, laid out like Istio's `cacerts` secret: the operator's
// intermediate signs, the full chain goes back to callers.
//   ca-cert.pem     the signing (intermediate) certificate
//   ca-key.pem      its private key
//   root-cert.pem   the root of trust
//   cert-chain.pem  ca-cert.pem, then any further intermediates (the root may follow)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pemBlocks, toPem } from './asn1';
import { PkiError } from './errors';
import { SigningAuthority } from './signing-authority';

export const PLUGGED_CA_FILES = {
  cert: 'ca-cert.pem',
  key: 'ca-key.pem',
  root: 'root-cert.pem',
  chain: 'cert-chain.pem',
} as const;

function readRequired(dir: string, file: string): string {
  const path = join(dir, file);
  if (!existsSync(path)) {
    throw new PkiError('CA_FILE_MISSING', `plugged-in CA file ${path} does not exist; ${dir} must hold ${Object.values(PLUGGED_CA_FILES).join(', ')}`);
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new PkiError('CA_FILE_UNPARSABLE', `plugged-in CA file ${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

/** Loads and checks a cacerts directory; errors name the file and the problem. */
export function loadPluggedCa(dir: string, now = new Date()): SigningAuthority {
  const cert = readRequired(dir, PLUGGED_CA_FILES.cert);
  const key = readRequired(dir, PLUGGED_CA_FILES.key);
  const root = readRequired(dir, PLUGGED_CA_FILES.root);
  const chainText = readRequired(dir, PLUGGED_CA_FILES.chain);
  const chainBlocks = pemBlocks(chainText).filter((b) => b.label === 'CERTIFICATE');
  if (chainBlocks.length === 0) {
    throw new PkiError('CA_FILE_UNPARSABLE', `plugged-in CA file ${join(dir, PLUGGED_CA_FILES.chain)} holds no PEM "CERTIFICATE" block`);
  }
  return SigningAuthority.load(
    { cert, key, root, intermediates: chainBlocks.map((b) => toPem('CERTIFICATE', b.der)) },
    {
      cert: join(dir, PLUGGED_CA_FILES.cert),
      key: join(dir, PLUGGED_CA_FILES.key),
      root: join(dir, PLUGGED_CA_FILES.root),
      intermediates: join(dir, PLUGGED_CA_FILES.chain),
    },
    now,
  );
}
