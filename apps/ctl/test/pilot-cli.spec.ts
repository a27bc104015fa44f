// proxy-status and proxy-config formatting, on fixed /debug/syncz and
// /debug/config_dump answers (no mesh needed).
import { describe, expect, it } from 'vitest';
import { clusterRows, endpointRows, listenerRows, routeRows } from '../src/commands/proxy-config';
import { displayName, formatProxyDetail, formatStatusTable, matchProxy, type SyncEntry, type TypeSync } from '../src/commands/proxy-status';

const type = (sync: TypeSync['sync'], extra: Partial<TypeSync> = {}): TypeSync => ({ typeUrl: 'x', sync, subscribed: [], wildcard: false, resources: 1, ...extra });
const entry = (proxy: string, rds: TypeSync): SyncEntry => ({
  proxy,
  connectionId: 'sotw-1',
  protocol: 'sotw',
  peer: '127.0.0.1:5000',
  userAgent: 'gRPC Node/1.14.1',
  connectedSince: '2026-01-01T00:00:00.000Z',
  pushPending: false,
  types: { cds: type('SYNCED', { versionSent: 'c1', nonceSent: 'n1', versionAcked: 'c1', nonceAcked: 'n1' }), lds: type('SYNCED'), eds: type('STALE'), rds, sds: type('NOT SENT') },
});

const A = 'sidecar~127.0.0.1~client.default~default.svc.cluster.local';
const nacked = type('NACKED', { versionSent: 'r2', nonceSent: 'n9', lastNack: { version: 'r2', nonce: 'n9', clientVersion: 'r1', message: 'unsupported action: redirect', at: 'then' } });

describe('proxy-status', () => {
  it('prints one row per proxy with each type state', () => {
    const out = formatStatusTable([entry(A, nacked), entry('plain-id', type('SYNCED'))]);
    const [head, first, second] = out.split('\n');
    expect(head).toMatch(/^NAME\s+CDS\s+LDS\s+EDS\s+RDS\s+SDS\s+PROTOCOL\s+VERSION$/);
    expect(first).toMatch(/^client\.default\s+SYNCED\s+SYNCED\s+STALE\s+NACKED\s+NOT SENT\s+SOTW\s+gRPC Node\/1\.14\.1$/);
    expect(second).toMatch(/^plain-id\s+SYNCED/);
  });

  it('details one proxy with versions, nonces and the NACK text', () => {
    const out = formatProxyDetail([entry(A, nacked)]);
    expect(out).toContain(`Proxy:      ${A}`);
    expect(out).toMatch(/CDS\s+SYNCED\s+1\s+c1\s+n1\s+c1\s+n1/);
    expect(out).toMatch(/RDS\s+NACKED\s+1\s+r2\s+n9\s+-\s+-/);
    expect(out).toContain('RDS NACKED version r2 (nonce n9) at then; the client keeps version r1:\n  unsupported action: redirect');
  });

  it('finds a proxy by full id, pod.namespace or pod name', () => {
    const entries = [entry(A, nacked), entry('sidecar~127.0.0.2~other.prod~prod.svc.cluster.local', nacked)];
    expect(displayName(A)).toBe('client.default');
    expect(matchProxy(entries, A)).toHaveLength(1);
    expect(matchProxy(entries, 'client.default')[0]!.proxy).toBe(A);
    expect(matchProxy(entries, 'other')[0]!.proxy).toMatch(/other\.prod/);
    expect(matchProxy(entries, 'nobody')).toEqual([]);
  });
});

describe('proxy-config tables', () => {
  const dump = (name: string, resource: Record<string, unknown>) => ({ name, version: 'v', resource });

  it('clusters: service, port, subset, direction, type', () => {
    const rows = clusterRows([dump('outbound|7070|v1|echo.default.svc.cluster.local', { type: 'EDS' }), dump('BlackHoleCluster', { type: 'STATIC' })]);
    expect(rows).toEqual([
      ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'],
      ['echo.default.svc.cluster.local', '7070', 'v1', 'outbound', 'EDS', '-'],
      ['BlackHoleCluster', '-', '-', '-', 'STATIC', '-'],
    ]);
  });

  it('listeners: API listeners and filter chains with their destinations', () => {
    const hcm = { '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', rds: { routeConfigName: '80' } };
    const tcp = { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', cluster: 'outbound|9000||tcp.default.svc.cluster.local' };
    const rows = listenerRows([
      dump('echo:7070', { apiListener: { apiListener: hcm } }),
      dump('0.0.0.0_80', { address: { socketAddress: { address: '0.0.0.0', portValue: 80 } }, filterChains: [{ filters: [{ name: 'hcm', typedConfig: hcm }] }] }),
      dump('10.0.0.1_9000', { address: { socketAddress: { address: '10.0.0.1', portValue: 9000 } }, filterChains: [{ filterChainMatch: { transportProtocol: 'raw_buffer' }, filters: [{ name: 'tcp', typedConfig: tcp }] }] }),
    ]);
    expect(rows.slice(1)).toEqual([
      ['echo:7070', '-', '-', 'API listener (proxyless gRPC)', 'Route: 80'],
      ['0.0.0.0_80', '0.0.0.0', '80', 'ALL', 'Route: 80'],
      ['10.0.0.1_9000', '10.0.0.1', '9000', 'raw_buffer', 'Cluster: outbound|9000||tcp.default.svc.cluster.local'],
    ]);
  });

  it('routes and endpoints', () => {
    const route = dump('echo:7070', {
      virtualHosts: [
        {
          name: 'echo',
          domains: ['echo', 'echo:7070'],
          routes: [
            { match: { prefix: '/', headers: [{ name: 'x-canary', stringMatch: { exact: 'yes' } }] }, route: { cluster: 'outbound|7070|v2|echo' } },
            { match: { prefix: '/' }, route: { weightedClusters: { clusters: [{ name: 'a', weight: { value: 90 } }, { name: 'b', weight: { value: 10 } }] } } },
          ],
        },
      ],
    });
    expect(routeRows([route]).slice(1)).toEqual([
      ['echo:7070', 'echo', 'echo,echo:7070', '/* x-canary="yes"', 'outbound|7070|v2|echo', '-'],
      ['echo:7070', 'echo', 'echo,echo:7070', '/*', 'a (90), b (10)', '-'],
    ]);
    const cla = dump('outbound|7070||echo', { clusterName: 'outbound|7070||echo', endpoints: [{ locality: { region: 'r', zone: 'z' }, lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.0.0.1', portValue: 7070 } } }, healthStatus: 'HEALTHY' }] }] });
    expect(endpointRows([cla]).slice(1)).toEqual([['10.0.0.1:7070', 'HEALTHY', '1', 'r/z', 'outbound|7070||echo']]);
  });
});
