// Rate-limited log lines for events a peer can trigger at will (refused TLS
// handshakes, plaintext to mTLS-only ports): at most `perSecond` lines per
// kind in each one-second window; the first line after a window that dropped
// some says how many were suppressed. Counters elsewhere keep the totals.
import type { Logger } from '@sextant/util';

export class LogLimiter {
  private readonly windows = new Map<string, { start: number; emitted: number; suppressed: number }>();

  constructor(
    private readonly perSecond = 5,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs at info unless `kind` already used its lines this second; true when the line was written. */
  info(log: Logger, kind: string, fields: Record<string, unknown>, msg: string): boolean {
    const t = this.now();
    let w = this.windows.get(kind);
    if (!w) {
      if (this.windows.size > 256) this.windows.clear();
      this.windows.set(kind, (w = { start: t, emitted: 0, suppressed: 0 }));
    }
    if (t - w.start >= 1_000) {
      w.start = t;
      w.emitted = 0;
    }
    if (w.emitted >= this.perSecond) {
      w.suppressed++;
      return false;
    }
    w.emitted++;
    const suppressed = w.suppressed;
    w.suppressed = 0;
    log.info(suppressed > 0 ? { ...fields, kind, suppressed } : { ...fields, kind }, msg);
    return true;
  }
}

/** One limiter for the connection refusals of the whole process. */
export const refusals = new LogLimiter(5);

/** The kind of a refused TLS handshake, from its error (one rate limit per kind). */
export function refusalKind(reason: string): string {
  if (/no peer certificate|did not return a certificate|PEER_DID_NOT_RETURN_A_CERTIFICATE|certificate required/i.test(reason)) return 'no_client_certificate';
  if (/expired/i.test(reason)) return 'certificate_expired';
  if (/not trusted|UNABLE_TO|unknown ca|self.signed|issuer|CERTIFICATE_VERIFY_FAILED/i.test(reason)) return 'untrusted_certificate';
  if (/SAN|subject alt/i.test(reason)) return 'san_mismatch';
  if (/timeout/i.test(reason)) return 'handshake_timeout';
  if (/wrong version|http request|unknown protocol|WRONG_VERSION_NUMBER/i.test(reason)) return 'not_tls';
  return 'other';
}
