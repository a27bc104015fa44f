// The validating webhook over real HTTPS, with AdmissionReview bodies as the
// Kubernetes API server sends them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@sextant/util';
import { AdmissionWebhook, type AdmissionReview } from './admission-webhook';
import { BAD_WEIGHT_VS, REVIEWS_VS } from './spec-helpers';

let dir: string;
let webhook: AdmissionWebhook;
let port: number;
let ca: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'webhook-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=galley.istio-system.svc', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:galley.istio-system.svc', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  ca = readFileSync(join(dir, 'cert.pem'));
  webhook = new AdmissionWebhook({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem'), host: '127.0.0.1', port: 0, logger: silentLogger() });
  port = await webhook.listen();
});
afterAll(async () => {
  await webhook?.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(body: unknown, path = '/validate'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca, servername: 'galley.istio-system.svc', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

function review(object: unknown, operation = 'CREATE', apiVersion = 'admission.k8s.io/v1') {
  const o = object as { kind?: string; metadata?: { name?: string } };
  return {
    apiVersion,
    kind: 'AdmissionReview',
    request: {
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: 'networking.istio.io', version: 'v1', kind: o.kind },
      resource: { group: 'networking.istio.io', version: 'v1', resource: 'virtualservices' },
      name: o.metadata?.name,
      namespace: 'bookinfo',
      operation,
      userInfo: { username: 'admin' },
      object,
      dryRun: false,
    },
  };
}

async function answer(body: unknown): Promise<AdmissionReview> {
  const r = await post(body);
  expect(r.status).toBe(200);
  return JSON.parse(r.text) as AdmissionReview;
}

describe('AdmissionWebhook over HTTPS', () => {
  it('allows a valid VirtualService, echoing the uid', async () => {
    const out = await answer(review(parse(REVIEWS_VS)));
    expect(out).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true } });
  });

  it('denies an invalid one with the validator lines, in the namespace of the request', async () => {
    const bad = parse(BAD_WEIGHT_VS) as { metadata: Record<string, unknown> };
    delete bad.metadata['namespace'];
    const out = await answer(review(bad));
    expect(out.response.allowed).toBe(false);
    expect(out.response.status).toEqual({
      code: 400,
      reason: 'Invalid',
      message: 'admission webhook "validation.sextant.io" denied the request:\nadmission VirtualService/bookinfo/ratings: spec.http[0].route[0].weight: must be >= 0 (got -5)',
    });
  });

  it('answers v1beta1 reviews in kind, and allows deletes and non-Istio objects', async () => {
    expect((await answer(review(parse(REVIEWS_VS), 'CREATE', 'admission.k8s.io/v1beta1'))).apiVersion).toBe('admission.k8s.io/v1beta1');
    expect((await answer(review(parse(BAD_WEIGHT_VS), 'DELETE'))).response.allowed).toBe(true);
    expect((await answer(review({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: {} }))).response.allowed).toBe(true);
    // An Istio group with a kind Sextant does not know is refused, not waved through.
    const unknown = await answer(review({ apiVersion: 'networking.istio.io/v1', kind: 'Widget', metadata: { name: 'x' }, spec: {} }));
    expect(unknown.response.allowed).toBe(false);
    expect(unknown.response.status?.message).toMatch(/kind "Widget"/);
  });

  it('refuses what is not an AdmissionReview, and unknown paths', async () => {
    expect(await post({ hello: 1 })).toMatchObject({ status: 400, text: 'expected an AdmissionReview with a request' });
    expect((await post('{not json')).status).toBe(400);
    expect((await post(review(parse(REVIEWS_VS)), '/mutate')).status).toBe(404);
  });
});
