// Host names as Istio's validation accepts them: DNS-1123 labels, FQDNs,
// wildcard prefixes (`*`, `*.example.com`, `*foo.example.com`) and the
// `namespace/host` form of Gateway and Sidecar hosts. Each check returns the
// reason a value is refused, or undefined when it is fine.
import { isIpAddress } from './net';

const DNS1123_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const DNS1123_LOWER_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
// `*`, or a label optionally prefixed with `*` or `*-`.
const WILDCARD_LABEL = /^(?:\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;

export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;
const DOMAIN_MAX = 255;

/** Istio's label check (letters of either case). */
export function isDns1123Label(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && DNS1123_LABEL.test(value);
}

/** Kubernetes' label check for names and namespaces (lower case). */
export function isKubernetesLabelName(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && DNS1123_LOWER_LABEL.test(value);
}

/** Kubernetes' object name check (lower-case DNS subdomain). */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= DNS1123_SUBDOMAIN_MAX && DNS1123_SUBDOMAIN.test(value);
}

export function isWildcardLabel(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && WILDCARD_LABEL.test(value);
}

function checkLength(domain: string): string | undefined {
  if (domain.length === 0) return 'empty domain name not allowed';
  if (domain.length > DOMAIN_MAX) return `domain name ${JSON.stringify(domain)} too long (max ${DOMAIN_MAX})`;
  return undefined;
}

function checkLabels(domain: string, labelsPart: string): string | undefined {
  const labels = labelsPart.split('.');
  const top = labels[labels.length - 1]!;
  if (/^[0-9]+$/.test(top)) return `domain name ${JSON.stringify(domain)} invalid (top level domain ${JSON.stringify(top)} cannot be all-numeric)`;
  for (let i = 0; i < labels.length; i++) {
    // A trailing dot (`istio.io.`) is allowed.
    if (i === labels.length - 1 && labels[i] === '') return undefined;
    if (!isDns1123Label(labels[i]!)) return `domain name ${JSON.stringify(domain)} invalid (label ${JSON.stringify(labels[i])} invalid)`;
  }
  return undefined;
}

/** A fully qualified (or short) DNS name without wildcards. */
export function checkFqdn(domain: string): string | undefined {
  return checkLength(domain) ?? checkLabels(domain, domain);
}

/** A DNS name whose first label may be a wildcard (`*`, `*.x.com`, `*x.com`). */
export function checkWildcardDomain(domain: string): string | undefined {
  const tooLong = checkLength(domain);
  if (tooLong) return tooLong;
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (!isWildcardLabel(first)) return `domain name ${JSON.stringify(domain)} invalid (label ${JSON.stringify(first)} invalid)`;
  return dot < 0 ? undefined : checkLabels(domain, domain.slice(dot + 1));
}

/** Only `*` or a `*.` prefix: no `*foo.com`. */
export function checkNoPartialWildcard(host: string): string | undefined {
  if (host.includes('*') && host !== '*' && !host.startsWith('*.')) return `partial wildcard ${JSON.stringify(host)} not allowed`;
  return undefined;
}

/** The host part of a Gateway/Sidecar host: FQDN (no short names), `*` or `*.suffix`. Gateways also allow IPs. */
function checkListenerHostPart(host: string, isGateway: boolean): string[] {
  const errors: string[] = [];
  if (host !== '*' && !host.includes('.')) errors.push(`short names (non FQDN) are not allowed (got ${JSON.stringify(host)})`);
  const invalid = checkWildcardDomain(host);
  if (invalid && !(isGateway && isIpAddress(host))) errors.push(invalid);
  const partial = checkNoPartialWildcard(host);
  if (partial) errors.push(partial);
  return errors;
}

/**
 * Gateway server hosts and Sidecar egress hosts: `namespace/dnsName`, where
 * namespace is `*`, `.` or a namespace name (Sidecar: optionally `~`-prefixed).
 * Gateways also accept a bare host (the namespace then is `*`).
 */
export function checkNamespaceSlashHost(host: string, isGateway: boolean): string[] {
  const slash = host.indexOf('/');
  if (slash < 0) {
    if (isGateway) return checkListenerHostPart(host, true);
    return [`host must be of form namespace/dnsName (got ${JSON.stringify(host)})`];
  }
  const ns = host.slice(0, slash);
  const name = host.slice(slash + 1);
  const errors: string[] = [];
  if (ns === '' || name === '') errors.push('config namespace and dnsName in host entry cannot be empty');
  if (isGateway) {
    if (ns !== '*' && ns !== '.' && !isDns1123Label(ns)) errors.push(`invalid namespace value ${JSON.stringify(ns)} in gateway`);
  } else {
    const bare = ns.startsWith('~') ? ns.slice(1) : ns;
    if (bare !== '' && bare !== '*' && bare !== '.' && !isDns1123Label(bare)) errors.push(`invalid namespace value ${JSON.stringify(ns)} in sidecar`);
  }
  return [...errors, ...checkListenerHostPart(name, isGateway)];
}
