// HTTP header names and values, with the rules Istio applies to each use:
// matching, setting, removing, CORS lists, JWT claim routing.

// RFC 7230 token characters.
const TOKEN = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
const STRICT = /^[-_A-Za-z0-9]+$/;
// eslint-disable-next-line no-control-regex
const VALUE_FORBIDDEN = /[\u0000-\u0008\u000a-\u001f\u007f]/;

const PSEUDO_HEADERS = new Set([':method', ':scheme', ':authority', ':path', ':status']);
const JWT_CLAIM_PREFIX = '@request.auth.claims';

/** `@request.auth.claims.sub` or `@request.auth.claims[sub][nested]`. */
export function isJwtClaimRoute(name: string): boolean {
  if (!name.toLowerCase().startsWith(JWT_CLAIM_PREFIX)) return false;
  const rest = name.slice(JWT_CLAIM_PREFIX.length);
  return (rest.startsWith('.') && rest.length > 1) || (rest.startsWith('[') && rest.endsWith(']') && rest.length > 2);
}

/** A header to match on: a token, a pseudo-header, or a JWT claim route. */
export function checkMatchHeaderName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (isJwtClaimRoute(name) || PSEUDO_HEADERS.has(name)) return undefined;
  if (!TOKEN.test(name)) return `header name ${JSON.stringify(name)} is not a valid header name`;
  return undefined;
}

const isInternal = (name: string) => name.startsWith(':') || name.toLowerCase() === 'host';
export const isAuthorityHeader = (name: string) => name.toLowerCase() === ':authority' || name.toLowerCase() === 'host';

/** A request header to add or set: no `:` pseudo-headers except :authority (Host is allowed too). */
export function checkSetRequestHeaderName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (isInternal(name) && !isAuthorityHeader(name)) return `invalid header ${JSON.stringify(name)}: header cannot have ":" prefix`;
  return undefined;
}

/** A request header to remove, or any response header operation: no pseudo-headers, no Host. */
export function checkHeaderOperationName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (name.toLowerCase() === 'host') return `invalid header ${JSON.stringify(name)}: cannot set Host header`;
  if (isInternal(name)) return `invalid header ${JSON.stringify(name)}: header cannot have ":" prefix`;
  return undefined;
}

/** CORS allow/expose headers: a token or `*`. */
export function checkCorsHeaderName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (name === '*' || TOKEN.test(name)) return undefined;
  return `header name ${JSON.stringify(name)} is not a valid header name`;
}

/** Header names Istio writes itself (JWT claim output): letters, digits, `-` and `_`. */
export function checkStrictHeaderName(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (!STRICT.test(name)) return `header name ${JSON.stringify(name)} is not a valid header name`;
  return undefined;
}

/**
 * A header value as Envoy's header formatter reads it: no control characters,
 * and every `%` either doubled (`%%`) or opening a `%VARIABLE%` /
 * `%VARIABLE(["arg", ...])%` expression that is closed.
 */
export function checkHeaderValue(value: string): string | undefined {
  if (VALUE_FORBIDDEN.test(value)) return `header value ${JSON.stringify(value)} contains control characters`;
  type State = 'literal' | 'name' | 'expectArray' | 'expectString' | 'string' | 'afterString' | 'expectArgsEnd' | 'expectEnd';
  let state: State = 'literal';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    switch (state) {
      case 'literal':
        if (ch !== '%') break;
        if (i + 1 >= value.length) return `header value ${JSON.stringify(value)}: un-escaped % (write %% for a literal %)`;
        if (value[i + 1] === '%') i++;
        else state = 'name';
        break;
      case 'name':
        if (ch === '%') state = 'literal';
        else if (ch === '(') state = 'expectArray';
        break;
      case 'expectArray':
        if (ch === '[') state = 'expectString';
        else if (ch !== ' ') state = 'string';
        break;
      case 'expectString':
        if (ch === '"') state = 'string';
        else if (ch !== ' ') return `header value ${JSON.stringify(value)}: expected '"' in variable arguments`;
        break;
      case 'string':
        if (ch === '\\') {
          if (i + 1 >= value.length) return `header value ${JSON.stringify(value)}: unterminated backslash in variable arguments`;
          i++;
        } else if (ch === ')') state = 'expectEnd';
        else if (ch === '"') state = 'afterString';
        break;
      case 'afterString':
        if (ch === ',') state = 'expectString';
        else if (ch === ']') state = 'expectArgsEnd';
        else if (ch !== ' ') return `header value ${JSON.stringify(value)}: expected ',', ']' or a space in variable arguments`;
        break;
      case 'expectArgsEnd':
        if (ch === ')') state = 'expectEnd';
        else if (ch !== ' ') return `header value ${JSON.stringify(value)}: expected ')' after variable arguments`;
        break;
      case 'expectEnd':
        if (ch === '%') state = 'literal';
        else if (ch !== ' ') return `header value ${JSON.stringify(value)}: expected '%' to close the variable`;
        break;
    }
  }
  if (state !== 'literal') return `header value ${JSON.stringify(value)}: unterminated variable expression`;
  return undefined;
}
