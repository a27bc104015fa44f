import { describe, expect, it } from 'vitest';
import { PushContext } from './push-context';
import { createProxy } from './proxy';
import { proxyNeedsPush } from './push-filter';
import { configKey, endpointPush, fullPush, TriggerReason } from './push-request';
import { resource, testEndpoint, testService } from './test-fixtures';

const reviews = testService('reviews', 'default', { http: 9080 });
const billing = testService('billing', 'finance', { http: 8080 });
const push = PushContext.build({
  services: [reviews, billing],
  endpoints: [...testEndpoint(reviews, '10.0.0.1', { app: 'reviews' }), ...testEndpoint(billing, '10.0.1.1', { app: 'billing' })],
  configs: [resource('Sidecar', 'scoped', 'default', { egress: [{ hosts: ['./*'] }] })],
});

describe('proxyNeedsPush', () => {
  const plain = createProxy({ namespace: 'default', ipAddresses: ['10.0.9.9'] });
  const scoped = createProxy({ namespace: 'scoped', ipAddresses: ['10.0.9.8'] });
  const gateway = createProxy({ type: 'router', namespace: 'istio-system' });

  it('pushes endpoint changes only to proxies that see the service', () => {
    const req = endpointPush('default', [reviews.hostname]);
    expect(proxyNeedsPush(push, plain, req)).toBe(true);
    expect(proxyNeedsPush(push, scoped, req)).toBe(false);
    expect(proxyNeedsPush(push, gateway, req)).toBe(true);
  });

  it('Gateway changes go to routers, Sidecar changes to sidecars of that namespace, unbounded requests to all', () => {
    const gw = fullPush(TriggerReason.ConfigUpdate, [configKey('Gateway', 'default', 'gw')]);
    expect(proxyNeedsPush(push, gateway, gw)).toBe(true);
    expect(proxyNeedsPush(push, plain, gw)).toBe(false);
    const sc = fullPush(TriggerReason.ConfigUpdate, [configKey('Sidecar', 'scoped', 'default')]);
    expect(proxyNeedsPush(push, scoped, sc)).toBe(true);
    expect(proxyNeedsPush(push, plain, sc)).toBe(false);
    expect(proxyNeedsPush(push, scoped, fullPush(TriggerReason.GlobalUpdate))).toBe(true);
    expect(proxyNeedsPush(push, scoped, fullPush(TriggerReason.ConfigUpdate, [configKey('VirtualService', 'x', 'y')]))).toBe(true);
  });

  it('Secret (credential) changes go to proxies of the Secret namespace only', () => {
    const secret = fullPush(TriggerReason.ConfigUpdate, [configKey('Secret', 'istio-system', 'web-credential')]);
    expect(proxyNeedsPush(push, gateway, secret)).toBe(true);
    expect(proxyNeedsPush(push, plain, secret)).toBe(false);
    expect(proxyNeedsPush(push, createProxy({ type: 'router', namespace: 'other' }), secret)).toBe(false);
    expect(proxyNeedsPush(push, createProxy({ namespace: 'istio-system', ipAddresses: ['10.0.9.7'] }), secret)).toBe(true);
  });

  it('shares one SidecarScope between proxies of the same namespace and Sidecar', () => {
    expect(push.sidecarScope(plain)).toBe(push.sidecarScope(createProxy({ namespace: 'default', labels: { app: 'other' } })));
  });
});
