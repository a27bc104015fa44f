// The meaning of every CEL rule (x-kubernetes-validations) that Istio's CRDs
// attach to the kinds we accept, written as TypeScript. Keys are the rule
// texts exactly as they appear in the CRDs: the schema generator refuses a CRD
// holding a rule that is missing here, so a new Istio rule cannot slip by.
// A check returns true when the value passes, false when it fails (the CRD's
// message is reported), or a string to report instead of that message.
// Checks run on values the structural schema may also reject, so they never
// assume a type.
import { NANOS_PER_MILLI, parseDuration } from './duration';

export type CelCheck = (self: unknown) => boolean | string;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** CEL `has(self.f)`: the field is present. */
const has = (self: unknown, field: string): boolean => isObj(self) && self[field] !== undefined && self[field] !== null;
const count = (self: unknown, ...fields: string[]): number => fields.filter((f) => has(self, f)).length;
const keysOf = (self: unknown): string[] => (isObj(self) ? Object.keys(self) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const PORT_NAME = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

function portInRange(v: unknown): boolean {
  return typeof v === 'number' && v > 0 && v <= 65535;
}

/** CEL `int(string)`: base-10 integer with optional sign, or a conversion error. */
function celInt(text: string): number | undefined {
  return /^[-+]?[0-9]+$/.test(text) ? Number(text) : undefined;
}

/** CEL `url(s).getScheme()`, lower-cased like Go's url parser; undefined when not a URL. */
function urlScheme(text: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return undefined;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text);
  return m ? m[1]!.toLowerCase() : undefined;
}

export const CEL_RULES: Readonly<Record<string, CelCheck>> = {
  // Durations (every google.protobuf.Duration field).
  "duration(self) >= duration('1ms')": (self) => {
    const nanos = typeof self === 'string' ? parseDuration(self) : undefined;
    return nanos !== undefined && nanos >= NANOS_PER_MILLI;
  },

  // Workload selectors.
  'self.all(key, !key.contains("*"))': (self) => keysOf(self).every((k) => !k.includes('*')),
  'self.all(key, key.size() != 0)': (self) => keysOf(self).every((k) => k.length !== 0),
  '!self.contains("*")': (self) => !str(self).includes('*'),

  // Server TLS certificate sources.
  '(has(self.tlsCertificates) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1': (self) =>
    count(self, 'tlsCertificates', 'credentialNames') <= 1,
  '(has(self.credentialName) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1': (self) =>
    count(self, 'credentialName', 'credentialNames') <= 1,
  '(has(self.credentialNames) ? 1 : 0) + (has(self.tlsCertificates) ? 1 : 0) <= 1': (self) =>
    count(self, 'credentialNames', 'tlsCertificates') <= 1,

  // ServiceEntry.
  '(has(self.workloadSelector) ? 1 : 0) + (has(self.endpoints) ? 1 : 0) <= 1': (self) =>
    count(self, 'workloadSelector', 'endpoints') <= 1,
  '!((has(self.addresses) ? self.addresses : []).exists(k, k.contains("/")) && !((has(self.resolution) ? self.resolution : "NONE") in ["STATIC", "NONE"]))':
    (self) => {
      if (!isObj(self)) return true;
      const addresses = Array.isArray(self['addresses']) ? self['addresses'] : [];
      const resolution = has(self, 'resolution') ? self['resolution'] : 'NONE';
      const cidr = addresses.some((a) => str(a).includes('/'));
      return !(cidr && resolution !== 'STATIC' && resolution !== 'NONE');
    },
  '((has(self.resolution) ? self.resolution : "NONE") == "NONE") ? !has(self.endpoints) : true': (self) => {
    const resolution = has(self, 'resolution') ? (self as Obj)['resolution'] : 'NONE';
    return resolution === 'NONE' ? !has(self, 'endpoints') : true;
  },
  '((has(self.resolution) ? self.resolution : "") == "DNS_ROUND_ROBIN") ? ((has(self.endpoints) ? self.endpoints : []).size() <= 1) : true':
    (self) => {
      if (!isObj(self) || self['resolution'] !== 'DNS_ROUND_ROBIN') return true;
      return !Array.isArray(self['endpoints']) || self['endpoints'].length <= 1;
    },
  'self != "*"': (self) => self !== '*',
  'self.all(l1, self.exists_one(l2, l1.number == l2.number))': (self) => {
    if (!Array.isArray(self)) return true;
    const numbers = self.map((p) => (isObj(p) ? p['number'] : undefined));
    return numbers.every((n) => numbers.filter((m) => m === n).length === 1);
  },

  // WorkloadEntry (and ServiceEntry endpoints).
  'has(self.address) || has(self.network)': (self) => has(self, 'address') || has(self, 'network'),
  '(has(self.address) ? self.address : "").startsWith("unix://") ? !has(self.ports) : true': (self) =>
    str(isObj(self) ? self['address'] : '').startsWith('unix://') ? !has(self, 'ports') : true,
  'self.startsWith("unix://") ? (self.substring(7, 8) == "/" || self.substring(7, 8) == "@") : true': (self) => {
    const s = str(self);
    return s.startsWith('unix://') ? s.charAt(7) === '/' || s.charAt(7) === '@' : true;
  },
  'self.startsWith("unix://") ? !self.endsWith("/") : true': (self) => {
    const s = str(self);
    return s.startsWith('unix://') ? !s.endsWith('/') : true;
  },
  'self.all(key, size(key) < 63 && key.matches("^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$"))': (self) =>
    keysOf(self).every((k) => k.length < 63 && PORT_NAME.test(k)),
  '0 < self && self <= 65535': (self) => typeof self !== 'number' || portInRange(self),

  // Policy targets and selectors.
  '(has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1': (self) =>
    count(self, 'selector', 'targetRef', 'targetRefs') <= 1,
  'self.size() == 0': (self) => str(self).length === 0,
  '(has(self.serviceAccounts) || has(self.notServiceAccounts)) ? (!has(self.principals) && !has(self.notPrincipals) && !has(self.namespaces) && !has(self.notNamespaces)) : true':
    (self) =>
      has(self, 'serviceAccounts') || has(self, 'notServiceAccounts')
        ? count(self, 'principals', 'notPrincipals', 'namespaces', 'notNamespaces') === 0
        : true,

  // PeerAuthentication.
  'has(self.portLevelMtls) ? (((has(self.selector) && has(self.selector.matchLabels)) ? self.selector.matchLabels : {}).size() > 0) : true':
    (self) => {
      if (!has(self, 'portLevelMtls')) return true;
      const selector = (self as Obj)['selector'];
      return keysOf(isObj(selector) ? selector['matchLabels'] : undefined).length > 0;
    },
  'self.all(key, 0 < int(key) && int(key) <= 65535)': (self) => {
    for (const key of keysOf(self)) {
      const port = celInt(key);
      if (port === undefined) return `port ${JSON.stringify(key)} is not a number (type conversion error from string to int)`;
      if (!(port > 0 && port <= 65535)) return false;
    }
    return true;
  },

  // RequestAuthentication.
  '(has(self.jwksUri) ? 1 : 0) + (has(self.jwks_uri) ? 1 : 0) + (has(self.jwks) ? 1 : 0) <= 1': (self) =>
    count(self, 'jwksUri', 'jwks_uri', 'jwks') <= 1,
  'url(self).getScheme() in ["http", "https"]': (self) => {
    const scheme = urlScheme(str(self));
    return scheme === 'http' || scheme === 'https';
  },
};
