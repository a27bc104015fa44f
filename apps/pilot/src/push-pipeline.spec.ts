import { describe, expect, it } from 'vitest';
import type { IstioResource } from '@sextant/config-model';
import { configKey, type PushContext, type PushRequest as ModelPushRequest, type Service, type ServiceEndpoint } from '@sextant/pilot-model';
import { TYPE_URL } from '@sextant/proto';
import { silentLogger } from '@sextant/util';
import type { Clock, PushRequest } from '@sextant/xds-server';
import { PushHistory } from './push-history';
import { PushPipeline } from './push-pipeline';

class FakeClock implements Clock {
  t = 1_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      const next = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

const service = (host: string): Service => ({ hostname: host, namespace: 'default', ports: [{ name: 'grpc', port: 7070, protocol: 'GRPC' as never }], addresses: [], labels: {}, exportTo: ['*'], resolution: 'STATIC', meshExternal: false, registry: 'memory' });
const endpoint = (host: string, address: string): ServiceEndpoint => ({ hostname: host, namespace: 'default', servicePort: 7070, servicePortName: 'grpc', address, port: 7070, labels: {}, serviceAccount: 'default', health: 'HEALTHY', tlsMode: 'disabled' });

function setup(settleMs = 30) {
  const clock = new FakeClock();
  const registry = { services: [service('a')], endpoints: [endpoint('a', '10.0.0.1')] };
  const pushed: PushRequest[] = [];
  const installed: { push: PushContext; request: ModelPushRequest | undefined }[] = [];
  const pipeline = new PushPipeline({
    target: { push: (r) => pushed.push(r), connectedCount: 1 },
    sink: { setPush: (push, request) => installed.push({ push, request }) },
    configs: () => [] as IstioResource[],
    registry: { services: () => registry.services, endpoints: () => registry.endpoints },
    quietMs: 100,
    maxDelayMs: 1_000,
    settleMs,
    history: new PushHistory(10, clock.now),
    logger: silentLogger(),
    clock,
  });
  return { clock, registry, pushed, installed, pipeline };
}

describe('PushPipeline', () => {
  it('builds the first push context on initialize and pushes everything', () => {
    const { pipeline, pushed, installed } = setup();
    pipeline.onConfig({ keys: new Set(['VirtualService/default/x']), initial: false, at: 0 }); // ignored before initialize
    pipeline.initialize();
    expect(pushed).toHaveLength(1);
    expect(pushed[0]).toMatchObject({ full: true });
    expect(installed[0]!.push.services().map((s) => s.hostname)).toEqual(['a']);
  });

  it('debounces bursts into one push, full when any change was config', () => {
    const { pipeline, pushed, installed, clock } = setup();
    pipeline.initialize();
    pipeline.onConfig({ keys: new Set([configKey('VirtualService', 'default', 'x')]), initial: false, at: clock.now() });
    clock.advance(50);
    pipeline.onRegistry({ registry: 'memory', kind: 'endpoint', services: [{ hostname: 'a', namespace: 'default' }] });
    clock.advance(99);
    expect(pushed).toHaveLength(1);
    clock.advance(1);
    expect(pushed).toHaveLength(2);
    expect(pushed[1]).toMatchObject({ full: true });
    expect([...installed[1]!.request!.configsUpdated!].sort()).toEqual(['Service/default/a', 'VirtualService/default/x']);
  });

  it('keeps endpoint-only changes endpoint-only', () => {
    const { pipeline, pushed, installed, clock, registry } = setup();
    pipeline.initialize();
    registry.endpoints = [endpoint('a', '10.0.0.2')];
    pipeline.onRegistry({ registry: 'memory', kind: 'endpoint', services: [{ hostname: 'a', namespace: 'default' }] });
    clock.advance(100);
    expect(pushed[1]).toMatchObject({ full: false, types: new Set([TYPE_URL.endpoint]) });
    expect(installed[1]!.request).toMatchObject({ full: false });
    expect(installed[1]!.push.endpoints({ hostname: 'a', namespace: 'default' }, 7070).map((e) => e.address)).toEqual(['10.0.0.2']);
  });

  it('leaves ServiceEntry changes to the registry: an endpoint that moves is an endpoint push, not a config push', () => {
    const { pipeline, pushed, installed, clock, registry } = setup();
    pipeline.initialize();
    // What main.ts does for a ServiceEntry write: the registry reports an endpoint change, then the config event arrives.
    registry.endpoints = [endpoint('a', '10.0.0.3')];
    pipeline.onRegistry({ registry: 'serviceentry', kind: 'endpoint', services: [{ hostname: 'a', namespace: 'default' }] });
    pipeline.onConfig({ keys: new Set([configKey('ServiceEntry', 'default', 'a')]), initial: false, at: clock.now() });
    clock.advance(100);
    expect(pushed).toHaveLength(2);
    expect(pushed[1]).toMatchObject({ full: false, types: new Set([TYPE_URL.endpoint]) });
    expect(installed[1]!.request).toMatchObject({ full: false });
    expect([...installed[1]!.request!.configsUpdated!]).toEqual(['Service/default/a']);
    // A ServiceEntry change the registry does not report (nothing it derives changed) pushes nothing.
    pipeline.onConfig({ keys: new Set([configKey('WorkloadEntry', 'default', 'w')]), initial: false, at: clock.now() });
    clock.advance(1_000);
    expect(pushed).toHaveLength(2);
    // Mixed with other kinds, the other kinds still make a config push.
    pipeline.onConfig({ keys: new Set([configKey('ServiceEntry', 'default', 'a'), configKey('VirtualService', 'default', 'x')]), initial: false, at: clock.now() });
    clock.advance(100);
    expect(pushed[2]).toMatchObject({ full: true });
    expect([...installed[2]!.request!.configsUpdated!]).toEqual(['VirtualService/default/x']);
  });

  it('serves the last registry state while NATS is away, and lets held changes through once it settles', () => {
    const { pipeline, pushed, installed, clock, registry } = setup(30);
    pipeline.initialize();
    pipeline.setNatsConnected(false);
    registry.services = [];
    registry.endpoints = [];
    pipeline.onRegistry({ registry: 'local', kind: 'service', services: [{ hostname: 'a', namespace: 'default' }] });
    clock.advance(500);
    expect(pushed).toHaveLength(1);
    expect(pipeline.holding).toMatchObject({ pending: true });
    // A config push meanwhile still sees the frozen registry.
    pipeline.onConfig({ keys: new Set(['VirtualService/default/x']), initial: false, at: clock.now() });
    clock.advance(100);
    expect(installed[1]!.push.services().map((s) => s.hostname)).toEqual(['a']);
    pipeline.setNatsConnected(true);
    registry.services = [service('a')];
    registry.endpoints = [endpoint('a', '10.0.0.1')];
    clock.advance(29);
    expect(pipeline.holding).toBeDefined();
    clock.advance(1);
    expect(pipeline.holding).toBeUndefined();
    clock.advance(100);
    expect(pushed).toHaveLength(3);
    expect(installed[2]!.push.services().map((s) => s.hostname)).toEqual(['a']);
  });
});
