// The REST mirror on the real admin server (fastify), over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminServer } from '@sextant/admin';
import { silentLogger } from '@sextant/util';
import { registerGalleyDebugHandlers } from './debug-handlers';
import { registerRestRoutes } from './rest-routes';
import { BAD_WEIGHT_VS, REVIEWS_DR, REVIEWS_VS, multi, startFixture, type Fixture } from './spec-helpers';

let fx: Fixture;
let admin: AdminServer;
let base: string;

beforeAll(async () => {
  fx = await startFixture();
  const { ingest } = await fx.ingest();
  admin = new AdminServer({ component: 'galley-test', logger: silentLogger() });
  registerRestRoutes(admin.app, ingest, silentLogger());
  registerGalleyDebugHandlers(admin, ingest, () => ({}));
  const { port } = await admin.listen('127.0.0.1', 0);
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await admin?.close();
  await fx?.close();
});

const yaml = (body: string, path = '/apis/v1/apply', method = 'POST') => fetch(base + path, { method, headers: { 'content-type': 'application/yaml' }, body });
const json = async (r: Response) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> });

describe('REST mirror of the config API', () => {
  it('applies YAML and answers with what was applied', async () => {
    const r = await json(await yaml(multi(REVIEWS_VS, REVIEWS_DR), '/apis/v1/apply?fieldManager=rest'));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ dryRun: false, applied: [{ ref: { kind: 'VirtualService', name: 'reviews' }, action: 'created' }, { action: 'created' }] });
  });

  it('refuses an invalid manifest with 400, the error lines and structured errors, and stores nothing', async () => {
    const r = await json(await yaml(multi(REVIEWS_VS.replaceAll('reviews', 'other'), BAD_WEIGHT_VS), '/apis/v1/apply?source=bad.yaml'));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      code: 'INVALID_ARGUMENT',
      errorCode: 'CONFIG_INVALID',
      message: 'bad.yaml#1 VirtualService/shop/ratings: spec.http[0].route[0].weight: must be >= 0 (got -5)',
      errors: [{ document: 1, path: 'spec.http[0].route[0].weight', code: 'OUT_OF_RANGE' }],
    });
    expect((await fetch(`${base}/apis/v1/resources/vs/default/other`)).status).toBe(404);
  });

  it('accepts a JSON body with manifest and options, and a bare JSON resource', async () => {
    const dry = await json(await fetch(`${base}/apis/v1/apply`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ manifest: REVIEWS_VS.replaceAll('reviews', 'dry'), dryRun: true }) }));
    expect(dry.body).toMatchObject({ dryRun: true, applied: [{ action: 'created' }] });
    const bare = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'gw' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] } };
    const r = await json(await fetch(`${base}/apis/v1/apply`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bare) }));
    expect(r.body).toMatchObject({ applied: [{ ref: { kind: 'Gateway', name: 'gw' }, action: 'created' }] });
  });

  it('validates without storing', async () => {
    const r = await json(await yaml(BAD_WEIGHT_VS, '/apis/v1/validate'));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ valid: false, errors: [{ path: 'spec.http[0].route[0].weight' }] });
  });

  it('gets one resource, lists a kind and everything, with kind aliases', async () => {
    const one = await json(await fetch(`${base}/apis/v1/resources/virtualservices/default/reviews`));
    expect(one.body).toMatchObject({ kind: 'VirtualService', metadata: { name: 'reviews', generation: 1, annotations: { 'sextant.io/field-manager': 'rest' } } });
    const dr = await json(await fetch(`${base}/apis/v1/resources/dr`));
    expect((dr.body['items'] as unknown[]).length).toBe(1);
    const all = await json(await fetch(`${base}/apis/v1/resources?namespace=default`));
    expect((all.body['items'] as { kind: string }[]).map((i) => i.kind)).toEqual(['DestinationRule', 'Gateway', 'VirtualService']);
    expect((await json(await fetch(`${base}/apis/v1/resources/widgets`))).status).toBe(400);
  });

  it('serves /debug/configz with every stored resource', async () => {
    const r = await json(await fetch(`${base}/debug/configz`));
    expect(r.body['count']).toBe(3);
    const list = await json(await fetch(`${base}/debug`));
    expect(JSON.stringify(list.body)).toContain('/debug/configz');
  });

  it('deletes with a resourceVersion check (409 when stale), history and rollback', async () => {
    const current = await json(await fetch(`${base}/apis/v1/resources/vs/default/reviews`));
    const rv = (current.body['metadata'] as { resourceVersion: string }).resourceVersion;
    const stale = await json(await fetch(`${base}/apis/v1/resources/vs/default/reviews?resourceVersion=999`, { method: 'DELETE' }));
    expect(stale).toMatchObject({ status: 409, body: { code: 'FAILED_PRECONDITION', errorCode: 'STORE_STALE' } });
    const ok = await json(await fetch(`${base}/apis/v1/resources/vs/default/reviews?resourceVersion=${rv}`, { method: 'DELETE' }));
    expect(ok.body).toEqual({ deleted: [{ kind: 'VirtualService', namespace: 'default', name: 'reviews' }] });
    const history = await json(await fetch(`${base}/apis/v1/resources/vs/default/reviews/history`));
    expect((history.body['entries'] as { operation: string }[]).map((e) => e.operation)).toEqual(['PUT', 'DEL']);
    const back = await json(await fetch(`${base}/apis/v1/resources/vs/default/reviews/rollback`, { method: 'POST' }));
    expect(back.body).toMatchObject({ action: 'created' });
    expect((await fetch(`${base}/apis/v1/resources/vs/default/reviews`)).status).toBe(200);
  });

  it('deletes what a manifest names, atomically', async () => {
    const missing = await json(await yaml(multi(REVIEWS_VS, REVIEWS_VS.replaceAll('reviews', 'ghost')), '/apis/v1/delete'));
    expect(missing).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const r = await json(await yaml(multi(REVIEWS_VS, REVIEWS_DR), '/apis/v1/delete'));
    expect(r.body).toEqual({ deleted: [{ kind: 'VirtualService', namespace: 'default', name: 'reviews' }, { kind: 'DestinationRule', namespace: 'default', name: 'reviews' }] });
  });
});
