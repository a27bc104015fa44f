// Gateway semantics: the name, servers (hosts, ports, bind addresses, TLS
// per protocol) and unique port names.
import type { GatewaySpec, Server } from '@sextant/config-model';
import { checkSelectorLabels } from '../checks/common';
import { checkNamespaceSlashHost, isDns1123Label } from '../checks/hosts';
import { checkIpAddress } from '../checks/net';
import { checkPort, checkUnixAddress, isHttpProtocol, isTlsProtocol, parseProtocol } from '../checks/values';
import type { Findings } from '../findings';
import { fieldPath as at, itemPath } from '../issue';
import type { SemanticInput } from './semantic-input';
import { checkServerTls } from './server-tls-validator';

const UNIX_PREFIX = 'unix://';

function checkServer(f: Findings, path: string, server: Server): void {
  if (server.hosts.length === 0) f.error(at(path, 'hosts'), 'MISSING', 'server config must contain at least one host');
  server.hosts.forEach((host, i) => {
    for (const reason of checkNamespaceSlashHost(host, true)) f.error(itemPath(at(path, 'hosts'), i), 'INVALID_HOST', reason);
  });

  const port = server.port;
  const portPath = at(path, 'port');
  const protocol = parseProtocol(port.protocol);
  let portValid = true;
  if (!protocol) {
    f.error(at(portPath, 'protocol'), 'INVALID_PROTOCOL', `invalid protocol ${JSON.stringify(port.protocol)}, supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP, HTTPS, TLS`);
    portValid = false;
  }
  const bind = server.bind ?? '';
  if (port.number > 0 || !bind.startsWith(UNIX_PREFIX)) {
    const bad = checkPort(port.number);
    if (bad) {
      f.error(at(portPath, 'number'), 'INVALID_PORT', bad);
      portValid = false;
    }
  }
  if (port.targetPort !== undefined && port.targetPort > 0) f.warn(at(portPath, 'targetPort'), 'IGNORED', 'targetPort has no impact on Gateways');
  if (port.name === '') {
    f.error(at(portPath, 'name'), 'REQUIRED', 'port name must be set');
    portValid = false;
  }

  if (bind.startsWith(UNIX_PREFIX)) {
    f.check(at(path, 'bind'), 'INVALID_ADDRESS', checkUnixAddress(bind.slice(UNIX_PREFIX.length)));
    if (port.number !== 0) f.error(at(portPath, 'number'), 'INVALID_PORT', `port number must be 0 for unix domain socket (got ${port.number})`);
  } else if (bind !== '') {
    f.check(at(path, 'bind'), 'INVALID_ADDRESS', checkIpAddress(bind));
  }

  checkServerTls(f, at(path, 'tls'), server.tls);
  if (!portValid) return;
  const tls = server.tls;
  if (isTlsProtocol(protocol) && !tls) f.error(at(path, 'tls'), 'INVALID_TLS', `server must have TLS settings for HTTPS/TLS protocols (port ${port.number} is ${port.protocol})`);
  else if (!isTlsProtocol(protocol) && tls) {
    const passthrough = tls.mode === undefined || tls.mode === 'PASSTHROUGH' || tls.mode === 'AUTO_PASSTHROUGH';
    if (isHttpProtocol(protocol)) {
      // Plain HTTP may only carry `httpsRedirect`.
      if (!passthrough || tls.caCertificates || tls.privateKey || tls.serverCertificate) {
        f.error(at(path, 'tls'), 'INVALID_TLS', 'server cannot have TLS settings for plain text HTTP ports');
      }
    } else {
      f.error(at(path, 'tls'), 'INVALID_TLS', 'server cannot have TLS settings for non HTTPS/TLS ports');
    }
  }
}

export function validateGateway(f: Findings, { spec, name }: SemanticInput<GatewaySpec>): void {
  if (!isDns1123Label(name)) f.error('metadata.name', 'INVALID_NAME', `invalid gateway name ${JSON.stringify(name)}: must be a DNS label (no dots)`);
  checkSelectorLabels(f, 'spec.selector', spec.selector);
  const servers = spec.servers ?? [];
  if (servers.length === 0) f.error('spec.servers', 'MISSING', 'gateway must have at least one server');
  const portNames = new Map<string, number>();
  servers.forEach((server, i) => {
    const p = itemPath('spec.servers', i);
    checkServer(f, p, server);
    const first = portNames.get(server.port.name);
    if (first !== undefined) f.error(at(at(p, 'port'), 'name'), 'DUPLICATE', `port names in servers must be unique: duplicate name ${server.port.name} (also spec.servers[${first}])`);
    else portNames.set(server.port.name, i);
    if (!isHttpProtocol(parseProtocol(server.port.protocol)) && server.tls?.httpsRedirect) {
      f.warn(at(at(p, 'tls'), 'httpsRedirect'), 'IGNORED', 'tls.httpsRedirect should only be used with http servers');
    }
  });
}
