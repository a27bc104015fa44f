// WorkloadEntry semantics, shared with ServiceEntry endpoints.
import type { WorkloadEntrySpec } from '@sextant/config-model';
import { checkSelectorLabels } from '../checks/common';
import { checkFqdn } from '../checks/hosts';
import { isIpAddress } from '../checks/net';
import { checkPort, checkPortName, checkUnixAddress } from '../checks/values';
import type { Findings } from '../findings';
import { fieldPath as at, keyPath } from '../issue';
import type { SemanticInput } from './semantic-input';

const UNIX_PREFIX = 'unix://';

export interface WorkloadCheckOptions {
  /** Port names the owning ServiceEntry defines; endpoint ports must use them. */
  servicePorts?: ReadonlySet<string>;
  /** DNS names are allowed as addresses (WorkloadEntry, DNS resolution); else IPs only. */
  allowFqdn: boolean;
}

export function checkWorkload(f: Findings, path: string, we: WorkloadEntrySpec, options: WorkloadCheckOptions): void {
  const address = we.address ?? '';
  const addressPath = at(path, 'address');
  if (address === '') {
    if (!we.network) f.error(addressPath, 'REQUIRED', 'address is required');
    else f.warn(addressPath, 'SUSPICIOUS', `address is unset with network ${JSON.stringify(we.network)}`);
  }
  const unix = address.startsWith(UNIX_PREFIX);
  if (unix) {
    f.check(addressPath, 'INVALID_ADDRESS', checkUnixAddress(address.slice(UNIX_PREFIX.length)));
    if (Object.keys(we.ports ?? {}).length > 0) f.error(at(path, 'ports'), 'CONFLICT', `unix endpoint ${address} must not include ports`);
    if (options.servicePorts && options.servicePorts.size !== 1) f.error(addressPath, 'CONFLICT', 'exactly 1 service port required for unix endpoints');
  } else if (address !== '' && !isIpAddress(address)) {
    if (!options.allowFqdn) f.error(addressPath, 'INVALID_ADDRESS', `endpoint address ${JSON.stringify(address)} is not a valid IP address`);
    else if (checkFqdn(address)) f.error(addressPath, 'INVALID_ADDRESS', `endpoint address ${JSON.stringify(address)} is not a valid FQDN or an IP address`);
  }
  for (const [name, port] of Object.entries(we.ports ?? {})) {
    const p = keyPath(at(path, 'ports'), name);
    if (options.servicePorts && !options.servicePorts.has(name)) f.error(p, 'INVALID_PORT', `endpoint port ${name} is not defined by the service entry`);
    f.check(p, 'INVALID_PORT', checkPortName(name) ?? checkPort(port));
  }
  checkSelectorLabels(f, at(path, 'labels'), we.labels);
}

export function validateWorkloadEntry(f: Findings, { spec }: SemanticInput<WorkloadEntrySpec>): void {
  checkWorkload(f, 'spec', spec, { allowFqdn: true });
}
