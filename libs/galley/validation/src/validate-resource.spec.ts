import { describe, expect, it } from 'vitest';
import { validateDocuments, validateResource } from './index';
import { decodeFile } from './yaml-decoder';

const vs = (apiVersion: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'reviews' }) => ({
  apiVersion,
  kind: 'VirtualService',
  metadata,
  spec,
});
const SPEC = { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] };

describe('validateResource', () => {
  it.each(['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'])('converts %s to the internal (v1) form', (apiVersion) => {
    const result = validateResource(vs(apiVersion, SPEC));
    expect(result).toEqual({
      valid: true,
      warnings: [],
      resource: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'default' }, spec: SPEC },
    });
  });

  it('uses the given default namespace and keeps the document namespace when there is one', () => {
    const a = validateResource(vs('networking.istio.io/v1', SPEC), { defaultNamespace: 'shop' });
    expect(a.valid && a.resource.metadata.namespace).toBe('shop');
    const b = validateResource(vs('networking.istio.io/v1', SPEC, { name: 'r', namespace: 'prod' }), { defaultNamespace: 'shop' });
    expect(b.valid && b.resource.metadata.namespace).toBe('prod');
  });

  it('keeps the metadata Sextant stores and drops server-managed noise', () => {
    const metadata = { name: 'r', namespace: 'prod', labels: { app: 'r' }, annotations: { a: 'b' }, resourceVersion: '7', generation: 2, creationTimestamp: '2024-01-02T03:04:05Z', uid: 'u-1', managedFields: [{}], finalizers: ['x'] };
    const result = validateResource(vs('networking.istio.io/v1', SPEC, metadata));
    expect(result.valid && result.resource.metadata).toEqual({ name: 'r', namespace: 'prod', labels: { app: 'r' }, annotations: { a: 'b' }, resourceVersion: '7', generation: 2, creationTimestamp: '2024-01-02T03:04:05Z', uid: 'u-1' });
  });

  it('does not modify its input', () => {
    const doc = vs('networking.istio.io/v1alpha3', { ...SPEC, http: [{ ...SPEC.http[0], mirror_percent: 5, mirror: { host: 'm' } }] });
    const before = JSON.stringify(doc);
    const result = validateResource(doc);
    expect(JSON.stringify(doc)).toBe(before);
    expect(result.valid && result.resource.kind === 'VirtualService' && result.resource.spec.http?.[0]).toMatchObject({ mirrorPercent: 5 });
    expect(result.warnings.map((w) => [w.code, w.path])).toEqual([['DEPRECATED', 'spec.http[0].mirror_percent']]);
  });

  it('refuses a field set under both its names', () => {
    const result = validateResource({
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: { name: 'a' },
      spec: { jwtRules: [{ issuer: 'i', jwksUri: 'https://a/j', jwks_uri: 'https://a/j' }] },
    });
    expect(!result.valid && result.errors.map((e) => e.path)).toEqual(['spec.jwtRules[0]']);
  });

  it('warns about, and drops, fields Istio removed from its API', () => {
    const result = validateResource(vs('networking.istio.io/v1', { ...SPEC, http: [{ ...SPEC.http[0], websocketUpgrade: true }] }));
    expect(result.valid).toBe(true);
    expect(result.warnings.map((w) => [w.code, w.path])).toEqual([['IGNORED', 'spec.http[0].websocketUpgrade']]);
    expect(result.valid && result.resource.kind === 'VirtualService' && result.resource.spec.http?.[0]).not.toHaveProperty('websocketUpgrade');
  });

  it('returns warnings apart from errors, with identity on both', () => {
    const result = validateResource(
      vs('networking.istio.io/v1', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'a' } }] }, { route: [{ destination: { host: 'b' } }] }], exportTo: ['~'] }),
      { file: 'f.yaml', index: 4 },
    );
    expect(result.valid).toBe(false);
    expect(!result.valid && result.errors).toEqual([
      expect.objectContaining({ severity: 'error', code: 'INVALID_EXPORT_TO', file: 'f.yaml', index: 4, kind: 'VirtualService', namespace: 'default', name: 'reviews' }),
    ]);
    expect(result.warnings).toEqual([expect.objectContaining({ severity: 'warning', code: 'UNREACHABLE_RULE', path: 'spec.http[1]' })]);
  });
});

describe('validateDocuments', () => {
  it('collects resources, errors and skipped kinds in document order', () => {
    const yaml = [
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}',
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec: {host: reviews}',
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: e}\nspec: {host: "bad host"}',
    ].join('\n---\n');
    const result = validateDocuments(decodeFile('mix.yaml', yaml).documents, { skipUnknownKinds: true });
    expect(result.valid).toBe(false);
    expect(result.skipped).toEqual([{ file: 'mix.yaml', index: 0, apiVersion: 'v1', kind: 'Service', name: 's' }]);
    expect(result.resources.map((r) => [r.index, r.resource.metadata.name])).toEqual([[1, 'd']]);
    expect(result.errors.map((e) => [e.index, e.path])).toEqual([[2, 'spec.host']]);
    const strict = validateDocuments(decodeFile('mix.yaml', yaml).documents);
    expect(strict.errors.map((e) => e.code)).toEqual(['UNKNOWN_KIND', 'INVALID_HOST']);
  });

  it('validates thousands of resources per second', () => {
    const docs = Array.from({ length: 3000 }, (_, i) => ({
      file: 'bulk.yaml',
      index: i,
      line: 1,
      value: vs('networking.istio.io/v1', {
        hosts: [`svc-${i}`],
        http: [
          { match: [{ uri: { prefix: '/api' }, headers: { 'x-user': { regex: 'a.*' } } }], route: [{ destination: { host: `svc-${i}`, subset: 'v1' }, weight: 90 }, { destination: { host: `svc-${i}`, subset: 'v2' }, weight: 10 }], timeout: '5s' },
          { route: [{ destination: { host: `svc-${i}` } }], retries: { attempts: 2, perTryTimeout: '1s', retryOn: '5xx' } },
        ],
      }, { name: `svc-${i}` }),
    }));
    validateDocuments(docs.slice(0, 10)); // compile the schema first
    const start = performance.now();
    const result = validateDocuments(docs);
    const perSecond = docs.length / ((performance.now() - start) / 1000);
    expect(result.errors).toEqual([]);
    // Loose floor for a shared CI machine; typical runs are far above 10,000/s.
    expect(perSecond).toBeGreaterThan(2000);
  });
});
