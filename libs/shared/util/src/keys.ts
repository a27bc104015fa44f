// Reversible encoding of arbitrary names into NATS KV key tokens. KV keys may
// hold [-/_=.A-Za-z0-9] and use '.' as a separator, so every character other
// than [-A-Za-z0-9] is written as _XX (hex of its UTF-8 bytes).
export function encodeKeyToken(text: string): string {
  if (text.length === 0) return '_';
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[-A-Za-z0-9]/.test(ch) ? ch : '_' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function decodeKeyToken(token: string): string {
  if (token === '_') return '';
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '_') {
      const hex = token.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) throw new Error(`bad key token ${JSON.stringify(token)} at ${i}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(token.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Key from parts, e.g. ['VirtualService', 'default', 'reviews.v1'] -> VirtualService.default.reviews_2Ev1 */
export function encodeKey(parts: readonly string[]): string {
  return parts.map(encodeKeyToken).join('.');
}

export function decodeKey(key: string): string[] {
  return key.split('.').map(decodeKeyToken);
}
