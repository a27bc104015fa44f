import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CaStore, type CaStoreOptions } from './ca-store';
import { DEFAULT_LIFETIME, issueCertificate, resolveLifetime } from './cert-issuer';
import { verifyChain } from './chain-verifier';
import { buildCsr, generateWorkloadKey } from './csr-builder';
import { validateCsr } from './csr-validator';
import { PkiError } from './errors';
import type { SigningAuthority } from './signing-authority';
import { ALICE, DAY, TD, writeCaCerts } from './spec-helpers';

const HOUR = 3_600_000;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ca-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function options(dataDir: string, clock: { t: number }, extra: Partial<CaStoreOptions> = {}): CaStoreOptions {
  return { dataDir, trustDomain: TD, rootKeyType: 'ecdsa-p256', rootTtlMs: 3650 * DAY, overlapMs: 48 * HOUR, now: () => new Date(clock.t), ...extra };
}

function sign(authority: SigningAuthority, now: Date): string[] {
  const csr = validateCsr(buildCsr({ key: generateWorkloadKey(), uris: [ALICE] }), ALICE);
  const lifetime = resolveLifetime(0, DEFAULT_LIFETIME, authority.notAfter, now);
  if (!csr.ok || !lifetime.ok) throw new Error('setup');
  return issueCertificate(authority, csr.value, lifetime.value).chain;
}

describe('CA store (self-signed)', () => {
  it('creates a root at first start, key file mode 0600, and reloads the same root afterwards', () => {
    const dataDir = tmp();
    const clock = { t: Date.now() };
    const first = CaStore.open(options(dataDir, clock));
    expect(first.mode).toBe('self-signed');
    expect(first.drainEvents().map((e) => e.event)).toEqual(['root-created', 'bundle-changed']);
    const [generation] = readdirSync(join(dataDir, 'ca', 'roots'));
    const keyFile = join(dataDir, 'ca', 'roots', generation, 'root-key.pem');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'ca')).mode & 0o777).toBe(0o700);
    const root = new X509Certificate(first.authority.rootPem);
    expect(root.ca).toBe(true);
    expect(root.subject).toContain(`O=${TD}`);
    expect(root.publicKey.asymmetricKeyType).toBe('ec');

    const again = CaStore.open(options(dataDir, clock));
    expect(again.drainEvents().map((e) => e.event)).toEqual(['root-loaded']);
    expect(again.authority.rootPem).toBe(first.authority.rootPem);
    expect(again.bundle).toEqual(first.bundle);
    expect(again.bundle.version).toBe(1);
  });

  it('rotates: the new root signs, the old stays in the bundle for the overlap, then leaves', () => {
    const dataDir = tmp();
    const clock = { t: Date.now() };
    const store = CaStore.open(options(dataDir, clock));
    const oldRoot = store.authority.rootPem;
    const oldChain = sign(store.authority, new Date(clock.t));

    const { previous, current } = store.rotateRoot();
    expect(previous).not.toBe(current);
    expect(store.authority.rootPem).not.toBe(oldRoot);
    expect(store.bundle.version).toBe(2);
    expect(store.bundle.anchors.map((a) => a.pem)).toEqual([store.authority.rootPem, oldRoot]);
    expect(store.bundle.anchors[1].retireAt).toBe(new Date(clock.t + 48 * HOUR).toISOString());
    const newChain = sign(store.authority, new Date(clock.t));
    expect(newChain[1]).toBe(store.authority.rootPem);
    const bundlePems = store.bundle.anchors.map((a) => a.pem);
    // Both old and new certificates verify against the bundle during the overlap.
    expect(verifyChain(oldChain, bundlePems, new Date(clock.t)).ok).toBe(true);
    expect(verifyChain(newChain, bundlePems, new Date(clock.t)).ok).toBe(true);
    expect(verifyChain(newChain, oldRoot, new Date(clock.t)).ok).toBe(false);

    // A restart in the overlap keeps both.
    const reopened = CaStore.open(options(dataDir, clock));
    expect(reopened.authority.rootPem).toBe(store.authority.rootPem);
    expect(reopened.bundle.anchors).toHaveLength(2);

    clock.t += 48 * HOUR + 1;
    expect(reopened.prune()).toBe(true);
    expect(reopened.bundle.anchors.map((a) => a.pem)).toEqual([store.authority.rootPem]);
    expect(reopened.bundle.version).toBe(3);
    expect(reopened.prune()).toBe(false);
    expect(CaStore.open(options(dataDir, clock)).bundle.version).toBe(3);
  });

  it('names a corrupt state file', () => {
    const dataDir = tmp();
    CaStore.open(options(dataDir, { t: Date.now() }));
    writeFileSync(join(dataDir, 'ca', 'state.json'), '{oops');
    expect(() => CaStore.open(options(dataDir, { t: Date.now() }))).toThrow(/CA state .*state\.json cannot be read/);
  });
});

describe('CA store (plugged-in)', () => {
  it('signs with the plugged CA, refuses rotation, and keeps a replaced root for the overlap', () => {
    const dataDir = tmp();
    const cacerts = writeCaCerts(join(tmp(), 'cacerts'));
    const clock = { t: Date.now() };
    const store = CaStore.open(options(dataDir, clock, { pluggedDir: cacerts.dir }));
    expect(store.mode).toBe('plugged');
    expect(store.authority.chain).toHaveLength(2);
    expect(existsSync(join(dataDir, 'ca', 'roots'))).toBe(true);
    expect(readdirSync(join(dataDir, 'ca', 'roots'))).toEqual([]);
    expect(() => store.rotateRoot()).toThrow(PkiError);
    try {
      store.rotateRoot();
    } catch (err) {
      expect((err as PkiError).code).toBe('CA_ROTATION_UNSUPPORTED_PRECONDITION');
    }

    // The operator plugs in a CA under a new root and restarts.
    const replaced = writeCaCerts(cacerts.dir);
    const restarted = CaStore.open(options(dataDir, clock, { pluggedDir: cacerts.dir }));
    expect(restarted.bundle.anchors.map((a) => a.pem)).toEqual([new X509Certificate(replaced.root.certPem).toString(), new X509Certificate(cacerts.root.certPem).toString()]);
    expect(restarted.bundle.anchors[1].retireAt).toBeDefined();
    expect(readFileSync(join(dataDir, 'ca', 'state.json'), 'utf8')).toContain('"version": 2');
  });
});
