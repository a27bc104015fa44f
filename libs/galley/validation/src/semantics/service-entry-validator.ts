// ServiceEntry semantics: hosts, addresses, ports, resolution modes and their
// endpoints, exportTo.
import type { ServiceEntrySpec } from '@sextant/config-model';
import { checkExportTo, checkSelectorLabels } from '../checks/common';
import { checkFqdn, checkNoPartialWildcard, checkWildcardDomain } from '../checks/hosts';
import { checkIpOrCidr, isIpAddress } from '../checks/net';
import { checkPort, checkPortName, checkProtocol, isHttpProtocol, isTcpProtocol, isTlsProtocol, parseProtocol } from '../checks/values';
import type { Findings } from '../findings';
import { fieldPath as at, itemPath, keyPath } from '../issue';
import type { SemanticInput } from './semantic-input';
import { checkWorkload } from './workload-entry-validator';

const AUTO_ALLOCATE_LABEL = 'networking.istio.io/enable-autoallocate-ip';
const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';

function checkHostsAndAddresses(f: Findings, spec: ServiceEntrySpec): void {
  if (spec.hosts.length === 0) f.error('spec.hosts', 'MISSING', 'service entry must have at least one host');
  spec.hosts.forEach((host, i) => {
    const p = itemPath('spec.hosts', i);
    if (host === '*') f.error(p, 'INVALID_HOST', 'invalid host *');
    else {
      f.check(p, 'INVALID_HOST', checkWildcardDomain(host));
      const partial = spec.resolution !== 'DYNAMIC_DNS' ? checkNoPartialWildcard(host) : undefined;
      if (partial) f.warn(p, 'SUSPICIOUS', partial);
    }
  });
  const cidr = (spec.addresses ?? []).some((a) => a.includes('/'));
  spec.addresses?.forEach((a, i) => f.check(itemPath('spec.addresses', i), 'INVALID_ADDRESS', checkIpOrCidr(a)));
  if (cidr && spec.resolution !== undefined && spec.resolution !== 'NONE' && spec.resolution !== 'STATIC') {
    f.error('spec.addresses', 'CONFLICT', 'CIDR addresses are allowed only for NONE/STATIC resolution types');
  }
}

function checkResolution(f: Findings, spec: ServiceEntrySpec, servicePorts: ReadonlySet<string>, labels: Record<string, string>): void {
  const resolution = spec.resolution ?? 'NONE';
  const endpoints = spec.endpoints ?? [];
  switch (resolution) {
    case 'NONE':
      if (endpoints.length > 0) f.error('spec.endpoints', 'CONFLICT', 'no endpoints should be provided for resolution type none');
      if (spec.workloadSelector) f.warn('spec.workloadSelector', 'IGNORED', 'workloadSelector should not be set when resolution mode is NONE');
      break;
    case 'STATIC':
      endpoints.forEach((ep, i) => checkWorkload(f, itemPath('spec.endpoints', i), ep, { servicePorts, allowFqdn: false }));
      break;
    case 'DNS':
    case 'DNS_ROUND_ROBIN':
      if (endpoints.length === 0) {
        const bad = spec.hosts.findIndex((h) => checkFqdn(h) !== undefined);
        if (bad >= 0) {
          f.error(itemPath('spec.hosts', bad), 'INVALID_HOST', `hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode ${resolution}: ${checkFqdn(spec.hosts[bad]!)}`);
        }
      }
      if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) f.error('spec.endpoints', 'CONFLICT', `there must only be 0 or 1 endpoint for resolution mode ${resolution}`);
      endpoints.forEach((ep, i) => {
        const p = itemPath('spec.endpoints', i);
        const address = ep.address ?? '';
        if (!isIpAddress(address) && checkFqdn(address)) f.error(at(p, 'address'), 'INVALID_ADDRESS', `endpoint address ${JSON.stringify(address)} is not a valid FQDN or an IP address`);
        checkSelectorLabels(f, at(p, 'labels'), ep.labels);
        for (const [name, port] of Object.entries(ep.ports ?? {})) {
          const pp = keyPath(at(p, 'ports'), name);
          if (!servicePorts.has(name)) f.error(pp, 'INVALID_PORT', `endpoint port ${name} is not defined by the service entry`);
          f.check(pp, 'INVALID_PORT', checkPortName(name) ?? checkPort(port));
        }
      });
      if ((spec.addresses ?? []).length > 0 && spec.hosts.length > 1 && (spec.ports ?? []).some((p) => isTcpProtocol(parseProtocol(p.protocol)))) {
        f.warn('spec.hosts', 'SUSPICIOUS', 'service entry can not have more than one host specified simultaneously with address and tcp port');
      }
      break;
    case 'DYNAMIC_DNS': {
      spec.hosts.forEach((h, i) => {
        if (!h.startsWith('*')) f.error(itemPath('spec.hosts', i), 'INVALID_HOST', `host must be wildcarded for resolution mode ${resolution}`);
      });
      if ((spec.addresses ?? []).length > 0) f.error('spec.addresses', 'CONFLICT', `addresses cannot be set for resolution type ${resolution}; HTTP route domains are generated from the hosts field`);
      if (endpoints.length > 0) f.error('spec.endpoints', 'CONFLICT', `endpoints cannot be set for resolution type ${resolution}; the destination IP address is determined from the hosts field`);
      spec.ports?.forEach((port, i) => {
        const p = parseProtocol(port.protocol);
        if (p !== 'HTTP' && p !== 'TLS' && p !== 'GRPC' && p !== 'HTTP2') {
          f.error(at(itemPath('spec.ports', i), 'protocol'), 'INVALID_PROTOCOL', `only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type ${resolution}`);
        }
      });
      const waypoint = labels[USE_WAYPOINT_LABEL];
      if (spec.location === 'MESH_INTERNAL' && waypoint && waypoint.toLowerCase() !== 'none') {
        f.error('spec.location', 'CONFLICT', `location MESH_INTERNAL with resolution type ${resolution} is not supported when using waypoints`);
      }
      break;
    }
  }
}

export function validateServiceEntry(f: Findings, { spec, namespace, metadata }: SemanticInput<ServiceEntrySpec>): void {
  const labels = metadata.labels ?? {};
  const selector = spec.workloadSelector;
  if (selector) {
    checkSelectorLabels(f, 'spec.workloadSelector.labels', selector.labels);
    if (Object.keys(selector.labels ?? {}).length === 0) f.warn('spec.workloadSelector', 'SUSPICIOUS', 'service entry: workload selector specified without labels, will be applied to all services in namespace');
  }
  if (selector && spec.endpoints) f.error('spec', 'CONFLICT', 'only one of WorkloadSelector or Endpoints is allowed in Service Entry');
  checkHostsAndAddresses(f, spec);

  // Addresses are optional when Istio allocates them (on unless the label says "false").
  const autoAllocate = labels[AUTO_ALLOCATE_LABEL] !== 'false';
  const names = new Set<string>();
  const numbers = new Set<number>();
  spec.ports?.forEach((port, i) => {
    const p = itemPath('spec.ports', i);
    if (names.has(port.name)) f.error(at(p, 'name'), 'DUPLICATE', `service entry port name ${JSON.stringify(port.name)} already defined`);
    if (numbers.has(port.number)) f.error(at(p, 'number'), 'DUPLICATE', `service entry port ${port.number} already defined`);
    names.add(port.name);
    numbers.add(port.number);
    if (port.targetPort !== undefined && port.targetPort !== 0) f.check(at(p, 'targetPort'), 'INVALID_PORT', checkPort(port.targetPort));
    if ((spec.addresses ?? []).length === 0 && !autoAllocate && (!port.protocol || port.protocol === 'TCP')) {
      f.warn(p, 'SUSPICIOUS', 'addresses are required for ports serving TCP (or unset) protocol when IP Autoallocation is not enabled');
    }
    f.check(at(p, 'name'), 'INVALID_PORT', checkPortName(port.name));
    f.check(at(p, 'protocol'), 'INVALID_PROTOCOL', checkProtocol(port.protocol));
    f.check(at(p, 'number'), 'INVALID_PORT', checkPort(port.number));
  });
  checkResolution(f, spec, names, labels);

  // Plain TCP cannot tell several hosts apart (unless resolution is NONE).
  if ((spec.resolution ?? 'NONE') !== 'NONE' && spec.hosts.length > 1) {
    const i = (spec.ports ?? []).findIndex((port) => {
      const p = parseProtocol(port.protocol);
      return !isHttpProtocol(p) && !isTlsProtocol(p);
    });
    if (i >= 0) f.error(itemPath('spec.ports', i), 'CONFLICT', 'multiple hosts provided with non-HTTP, non-TLS ports');
  }
  checkExportTo(f, 'spec.exportTo', namespace, spec.exportTo, true);
}
