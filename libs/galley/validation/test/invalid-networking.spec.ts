// Refusals for DestinationRules, Gateways, ServiceEntries, Sidecars and
// WorkloadEntries: each names the field and the reason.
import { describe, expect, it } from 'vitest';
import { findExpectedError, type InvalidCase } from './helpers';

const dr = (spec: Record<string, unknown>) => ({ kind: 'DestinationRule', spec: { host: 'reviews', ...spec } });
const tp = (trafficPolicy: Record<string, unknown>) => dr({ trafficPolicy });
const server = (extra: Record<string, unknown> = {}) => ({ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['example.com'], ...extra });
const gw = (servers: unknown[], name = 'gw') => ({ kind: 'Gateway', name, spec: { selector: { istio: 'ingressgateway' }, servers } });
const https = (tls: Record<string, unknown> | undefined) => server({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, ...(tls ? { tls } : {}) });
const se = (spec: Record<string, unknown>) => ({ kind: 'ServiceEntry', spec: { hosts: ['api.example.com'], ...spec } });
const sidecar = (spec: Record<string, unknown>) => ({ kind: 'Sidecar', spec });

const CASES: InvalidCase[] = [
  // DestinationRule
  { name: 'host with a space', input: dr({ host: 'bad host' }), path: 'spec.host', reason: 'domain name "bad host" invalid', code: 'INVALID_HOST' },
  { name: 'duplicate subset names', input: dr({ subsets: [{ name: 'v1' }, { name: 'v1' }] }), path: 'spec.subsets[1].name', reason: 'duplicate subset names: v1', code: 'DUPLICATE' },
  { name: 'subset label key with a space', input: dr({ subsets: [{ name: 'v1', labels: { 'my key': 'v1' } }] }), path: 'spec.subsets[0].labels[my key]', reason: 'invalid key "my key"', code: 'INVALID_LABEL' },
  { name: 'MUTUAL client TLS without a certificate', input: tp({ tls: { mode: 'MUTUAL', privateKey: '/k.pem' } }), path: 'spec.trafficPolicy.tls.clientCertificate', reason: 'client certificate required for mutual tls', code: 'INVALID_TLS' },
  { name: 'client TLS with credentialName and files', input: tp({ tls: { mode: 'SIMPLE', credentialName: 'c', caCertificates: '/ca.pem' } }), path: 'spec.trafficPolicy.tls', reason: 'cannot specify client certificates or CA certificate or CA CRL If credentialName is set' },
  { name: 'unknown load balancer', input: tp({ loadBalancer: { simple: 'FASTEST' } }), path: 'spec.trafficPolicy.loadBalancer.simple', reason: 'Unsupported value: "FASTEST": supported values: "UNSPECIFIED", "LEAST_CONN"', code: 'UNSUPPORTED_VALUE' },
  { name: 'maglev table size not prime', input: tp({ loadBalancer: { consistentHash: { useSourceIp: true, maglev: { tableSize: 1000 } } } }), path: 'spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize', reason: 'tableSize must be a prime number for maglev (got 1000)' },
  { name: 'two consistent hash keys', input: tp({ loadBalancer: { consistentHash: { httpHeaderName: 'x-user', useSourceIp: true } } }), path: 'spec.trafficPolicy.loadBalancer.consistentHash', reason: 'only one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName may be set', code: 'MUTUALLY_EXCLUSIVE' },
  { name: 'simple and consistentHash together', input: tp({ loadBalancer: { simple: 'RANDOM', consistentHash: { useSourceIp: true } } }), path: 'spec.trafficPolicy.loadBalancer', reason: 'only one of simple, consistentHash, backendUtilization may be set (got simple, consistentHash)' },
  { name: 'max ejection percent above 100', input: tp({ outlierDetection: { maxEjectionPercent: 150 } }), path: 'spec.trafficPolicy.outlierDetection.maxEjectionPercent', reason: 'percentage 150 is not in range 0..100' },
  { name: 'empty traffic policy', input: tp({}), path: 'spec.trafficPolicy', reason: 'traffic policy must have at least one field' },
  { name: 'locality weights not adding to 100', input: tp({ outlierDetection: { interval: '1s' }, loadBalancer: { localityLbSetting: { distribute: [{ from: 'us-west/*', to: { 'us-west/zone1/*': 60, 'us-east/*': 30 } }] } } }), path: 'spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to', reason: 'total locality weight 90 != 100' },
  { name: 'workload selector with exportTo beyond the namespace', input: dr({ workloadSelector: { matchLabels: { app: 'a' } }, exportTo: ['*'] }), path: 'spec.exportTo', reason: 'destination rule with workload selector cannot have exportTo beyond current namespace', code: 'INVALID_EXPORT_TO' },
  { name: 'negative connection limit', input: tp({ connectionPool: { tcp: { maxConnections: -1 } } }), path: 'spec.trafficPolicy.connectionPool.tcp.maxConnections', reason: 'must be >= 0 (got -1)' },
  { name: 'local origin failures without split errors', input: tp({ outlierDetection: { consecutiveLocalOriginFailures: 3 } }), path: 'spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures', reason: 'split external local origin errors is set to false' },

  // Gateway
  { name: 'gateway name with a dot', input: gw([server()], 'my.gateway'), path: 'metadata.name', reason: 'invalid gateway name "my.gateway": must be a DNS label', code: 'INVALID_NAME' },
  { name: 'gateway without servers', input: gw([]), path: 'spec.servers', reason: 'gateway must have at least one server' },
  { name: 'HTTPS server without TLS', input: gw([https(undefined)]), path: 'spec.servers[0].tls', reason: 'server must have TLS settings for HTTPS/TLS protocols', code: 'INVALID_TLS' },
  { name: 'ISTIO_MUTUAL with a credential', input: gw([https({ mode: 'ISTIO_MUTUAL', credentialName: 'cert' })]), path: 'spec.servers[0].tls.credentialName', reason: 'ISTIO_MUTUAL TLS cannot have associated credentialName' },
  { name: 'SIMPLE TLS without a certificate', input: gw([https({ mode: 'SIMPLE', privateKey: '/k.pem' })]), path: 'spec.servers[0].tls.serverCertificate', reason: 'SIMPLE TLS requires a server certificate' },
  { name: 'MUTUAL TLS without a client CA', input: gw([https({ mode: 'MUTUAL', serverCertificate: '/c.pem', privateKey: '/k.pem' })]), path: 'spec.servers[0].tls.caCertificates', reason: 'MUTUAL TLS requires a client CA bundle' },
  { name: 'two certificate sources', input: gw([https({ mode: 'SIMPLE', credentialName: 'a', credentialNames: ['b'] })]), path: 'spec.servers[0].tls', reason: 'only one of credentialName or credentialNames can be set', code: 'RULE_VIOLATION' },
  { name: 'TLS settings on a plain TCP port', input: gw([server({ port: { number: 9000, name: 'tcp', protocol: 'TCP' }, tls: { mode: 'SIMPLE', credentialName: 'c' } })]), path: 'spec.servers[0].tls', reason: 'server cannot have TLS settings for non HTTPS/TLS ports' },
  { name: 'unknown server protocol', input: gw([server({ port: { number: 80, name: 'http', protocol: 'SPDY' } })]), path: 'spec.servers[0].port.protocol', reason: 'invalid protocol "SPDY"', code: 'INVALID_PROTOCOL' },
  { name: 'duplicate server port names', input: gw([server(), server({ port: { number: 8080, name: 'http', protocol: 'HTTP' } })]), path: 'spec.servers[1].port.name', reason: 'port names in servers must be unique: duplicate name http' },
  { name: 'short name in a namespaced server host', input: gw([server({ hosts: ['prod/reviews'] })]), path: 'spec.servers[0].hosts[0]', reason: 'short names (non FQDN) are not allowed (got "reviews")' },
  { name: 'bind to a non-IP', input: gw([server({ bind: 'localhost' })]), path: 'spec.servers[0].bind', reason: '"localhost" is not a valid IP address' },
  { name: 'server port 0', input: gw([server({ port: { number: 0, name: 'http', protocol: 'HTTP' } })]), path: 'spec.servers[0].port.number', reason: 'port number 0 must be in the range 1..65535' },

  // ServiceEntry
  { name: 'wildcard host with DNS resolution and no endpoints', input: se({ hosts: ['*.example.com'], resolution: 'DNS', ports: [{ number: 80, name: 'http', protocol: 'HTTP' }] }), path: 'spec.hosts[0]', reason: 'hosts must be FQDN or contain only prefix wildcards if no endpoints are provided' },
  { name: 'STATIC endpoint with a host name', input: se({ resolution: 'STATIC', ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], endpoints: [{ address: 'api.example.com' }] }), path: 'spec.endpoints[0].address', reason: 'endpoint address "api.example.com" is not a valid IP address' },
  { name: 'endpoint port the service does not define', input: se({ resolution: 'STATIC', ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], endpoints: [{ address: '10.0.0.1', ports: { tcp: 9000 } }] }), path: 'spec.endpoints[0].ports[tcp]', reason: 'endpoint port tcp is not defined by the service entry' },
  { name: 'unknown port protocol', input: se({ ports: [{ number: 80, name: 'http', protocol: 'HTTP3' }] }), path: 'spec.ports[0].protocol', reason: 'unsupported protocol "HTTP3"', code: 'INVALID_PROTOCOL' },
  { name: 'port name that is not a DNS label', input: se({ ports: [{ number: 80, name: 'http_1', protocol: 'HTTP' }] }), path: 'spec.ports[0].name', reason: 'invalid port name "http_1"' },
  { name: 'DYNAMIC_DNS without a wildcard host', input: se({ resolution: 'DYNAMIC_DNS', location: 'MESH_EXTERNAL', ports: [{ number: 443, name: 'tls', protocol: 'TLS' }] }), path: 'spec.hosts[0]', reason: 'host must be wildcarded for resolution mode DYNAMIC_DNS' },
  { name: 'several hosts on a TCP port', input: se({ hosts: ['a.example.com', 'b.example.com'], resolution: 'DNS', ports: [{ number: 3306, name: 'mysql', protocol: 'TCP' }] }), path: 'spec.ports[0]', reason: 'multiple hosts provided with non-HTTP, non-TLS ports', code: 'CONFLICT' },
  { name: 'malformed address', input: se({ addresses: ['10.0.0.300'] }), path: 'spec.addresses[0]', reason: '"10.0.0.300" is not a valid IP address', code: 'INVALID_ADDRESS' },
  { name: 'duplicate exportTo through "."', input: se({ exportTo: ['default', '.'] }), path: 'spec.exportTo[1]', reason: 'duplicate entries in exportTo: . and current namespace default' },

  // Sidecar
  { name: 'empty sidecar', input: sidecar({}), path: 'spec', reason: 'sidecar: empty configuration provided' },
  { name: 'egress host without a namespace', input: sidecar({ egress: [{ hosts: ['foo.com'] }] }), path: 'spec.egress[0].hosts[0]', reason: 'host must be of form namespace/dnsName' },
  { name: 'catch-all egress listener not last', input: sidecar({ egress: [{ hosts: ['./*'] }, { port: { number: 80, protocol: 'HTTP', name: 'http' }, hosts: ['./*'] }] }), path: 'spec.egress[0]', reason: 'the egress listener with empty port should be the last listener in the list' },
  { name: 'default endpoint on another host', input: sidecar({ ingress: [{ port: { number: 80, protocol: 'HTTP', name: 'http' }, defaultEndpoint: '10.0.0.1:8080' }] }), path: 'spec.ingress[0].defaultEndpoint', reason: 'defaultEndpoint must be of form 127.0.0.1:<port>' },
  { name: 'port 0 without a unix socket', input: sidecar({ egress: [{ port: { number: 0, protocol: 'HTTP', name: 'http' }, hosts: ['./*'] }] }), path: 'spec.egress[0].bind', reason: 'ports with 0 value must have a unix domain socket bind address' },

  // WorkloadEntry
  { name: 'workload address that is neither IP nor FQDN', input: { kind: 'WorkloadEntry', spec: { address: 'not an ip!' } }, path: 'spec.address', reason: 'endpoint address "not an ip!" is not a valid FQDN or an IP address' },
  { name: 'workload label with a bad value', input: { kind: 'WorkloadEntry', spec: { address: '10.0.0.1', labels: { app: 'a b' } } }, path: 'spec.labels[app]', reason: 'invalid value "a b"' },
  { name: 'workload port name that is not a DNS label', input: { kind: 'WorkloadEntry', spec: { address: '10.0.0.1', ports: { '@': 80 } } }, path: 'spec.ports', reason: 'port name must be valid', code: 'RULE_VIOLATION' },
];

describe('invalid networking resources', () => {
  it.each(CASES)('$name: $path', (c) => {
    const { hit, detail } = findExpectedError(c);
    expect(hit, detail).toBeDefined();
    if (c.code) expect(hit!.code, detail).toBe(c.code);
  });
});
