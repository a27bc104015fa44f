// Label keys and values: Kubernetes' rules for metadata, Istio's (slightly
// looser: values have no length limit) for selectors in specs.

const NAME = /^(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const VALUE = /^(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

const NAME_MAX = 63;
const PREFIX_MAX = 253;

/** A qualified name: `[prefix/]name`, as label and annotation keys are. */
export function checkQualifiedName(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined) {
    if (prefix.length === 0 || prefix.length > PREFIX_MAX || !PREFIX.test(prefix)) {
      return `invalid key ${JSON.stringify(key)}: the prefix must be a lower-case DNS subdomain of at most ${PREFIX_MAX} characters`;
    }
  }
  if (name.length === 0 || name.length > NAME_MAX || !NAME.test(name)) {
    return `invalid key ${JSON.stringify(key)}: the name must be 1-${NAME_MAX} characters of [A-Za-z0-9_.-], starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Kubernetes label value: at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends, or empty. */
export function checkLabelValue(value: string, limitLength = true): string | undefined {
  if (limitLength && value.length > NAME_MAX) return `invalid value ${JSON.stringify(value)}: at most ${NAME_MAX} characters`;
  if (!VALUE.test(value)) {
    return `invalid value ${JSON.stringify(value)}: only [A-Za-z0-9_.-], starting and ending with a letter or digit`;
  }
  return undefined;
}
