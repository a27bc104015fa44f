// Logs a config warning once per proxy and message, however many pushes
// repeat it (translation runs again on every full push). Bounded: past
// `maxProxies` the oldest proxies are forgotten (and may be logged again).
// The warnings themselves stay visible per push in /debug/push_status and
// per proxy in /debug/config_dump (translation's output carries them).
import type { Logger } from '@sextant/util';

export class WarningLog {
  private readonly seen = new Map<string, Set<string>>();

  constructor(
    private readonly logger: Logger,
    private readonly maxProxies = 10_000,
  ) {}

  /** Logs `message` for `proxyId` unless it was logged before; returns whether it was. */
  report(proxyId: string, message: string): boolean {
    let messages = this.seen.get(proxyId);
    if (!messages) {
      if (this.seen.size >= this.maxProxies) this.seen.delete(this.seen.keys().next().value!);
      this.seen.set(proxyId, (messages = new Set()));
    }
    if (messages.has(message)) return false;
    messages.add(message);
    this.logger.warn({ proxy: proxyId }, message);
    return true;
  }
}
