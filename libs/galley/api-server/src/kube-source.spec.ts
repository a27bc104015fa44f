// The Kubernetes source against a fake API server over real HTTP: list,
// watch, validation of what comes in, and pruning of what went away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findKind, type KindInfo, type Resource } from '@sextant/config-model';
import type { ConfigStore } from '@sextant/config-store';
import { silentLogger, waitFor } from '@sextant/util';
import type { ConfigIngest } from './config-ingest';
import { FakeKubeApi } from './fake-kube-api';
import { KubeSource } from './kube-source';
import { BAD_WEIGHT_VS, REVIEWS_DR, REVIEWS_VS, startFixture, type Fixture } from './spec-helpers';

const VS = '/apis/networking.istio.io/v1/virtualservices';
const DR = '/apis/networking.istio.io/v1/destinationrules';
type Obj = Parameters<FakeKubeApi['put']>[1];
const obj = (yaml: string, namespace = 'bookinfo'): Obj => {
  const o = parse(yaml) as Obj;
  return { ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? namespace } };
};

let api: FakeKubeApi;
let source: KubeSource;
let store: ConfigStore;
let ingest: ConfigIngest;
let fx: Fixture;

beforeAll(async () => {
  fx = await startFixture();
  ({ store, ingest } = await fx.ingest());
  api = new FakeKubeApi();
  await api.start();
});
afterAll(async () => {
  await source?.stop();
  await api?.close();
  await fx?.close();
});

const names = async () => (await store.list()).map((s) => `${s.ref.kind}/${s.ref.namespace}/${s.ref.name}`);

describe('KubeSource', () => {
  it('mirrors the listed objects, refuses invalid ones, and prunes what Kubernetes no longer has', async () => {
    api.put(VS, obj(REVIEWS_VS));
    api.put(VS, obj(BAD_WEIGHT_VS));
    // Left over from an earlier run (mirrored from Kubernetes), and one applied by a user.
    await store.apply([{ ...(parse(REVIEWS_VS.replaceAll('reviews', 'stale')) as Resource), metadata: { name: 'stale', namespace: 'bookinfo' } }], { fieldManager: 'kubernetes' });
    await store.apply([{ ...(parse(REVIEWS_VS.replaceAll('reviews', 'mine')) as Resource), metadata: { name: 'mine', namespace: 'bookinfo' } }], { fieldManager: 'sextant' });

    source = new KubeSource({ kubeConfig: api.kubeConfig(), ingest, logger: silentLogger(), kinds: [findKind('VirtualService'), findKind('DestinationRule')] as KindInfo[] });
    await source.start();
    await waitFor(() => source.status().kinds.every((k) => k.synced), { timeoutMs: 10_000, what: 'initial sync' });
    await source.idle();
    expect(await names()).toEqual(['VirtualService/bookinfo/mine', 'VirtualService/bookinfo/reviews']);
    const mirrored = await store.require({ kind: 'VirtualService', namespace: 'bookinfo', name: 'reviews' });
    expect(mirrored.resource.metadata.annotations).toEqual({ 'sextant.io/field-manager': 'kubernetes' });
    expect(mirrored.resource.metadata.uid).not.toBe('uid-bookinfo/reviews'); // the store's own, not the API server's
    expect(source.status().rejected).toEqual({
      'VirtualService/shop/ratings': ['kubernetes VirtualService/shop/ratings: spec.http[0].route[0].weight: must be >= 0 (got -5)'],
    });
    expect(api.requests).toContain('GET /apis/networking.istio.io/v1/virtualservices');
  });

  it('follows the watch: added, modified and deleted objects', async () => {
    await waitFor(() => api.requests.some((r) => r.startsWith(`GET ${DR}?watch=true`)), { timeoutMs: 5_000, what: 'watch started' });
    api.put(DR, obj(REVIEWS_DR));
    api.put(VS, obj(REVIEWS_VS.replace('subset: v1', 'subset: v2')));
    await waitFor(async () => (await names()).includes('DestinationRule/bookinfo/reviews'), { timeoutMs: 5_000, what: 'DR mirrored' });
    await waitFor(async () => JSON.stringify((await store.require({ kind: 'VirtualService', namespace: 'bookinfo', name: 'reviews' })).resource.spec).includes('v2'), { timeoutMs: 5_000, what: 'VS modified' });
    api.remove(VS, 'bookinfo', 'reviews');
    await waitFor(async () => !(await names()).includes('VirtualService/bookinfo/reviews'), { timeoutMs: 5_000, what: 'VS deleted' });
    // A fixed object that was refused before is accepted.
    api.put(VS, obj(BAD_WEIGHT_VS.replace('weight: -5', 'weight: 100')));
    await waitFor(async () => (await names()).includes('VirtualService/shop/ratings'), { timeoutMs: 5_000, what: 'fixed object mirrored' });
    expect(source.status().rejected).toEqual({});
  });
});
