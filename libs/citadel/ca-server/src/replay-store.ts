// Counts uses of bootstrap tokens so a token is honoured at most as often as
// it says. The file store appends one line per use ("<id> <expiry seconds>")
// and compacts on open, so a restart of Citadel does not reopen used tokens.
// Entries are forgotten once their token has expired: an expired token is
// refused before its uses are looked at.
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface ReplayStore {
  /**
   * Records one use of token `id` if it has uses left; returns the use number
   * (1 for the first), or undefined when all `maxUses` are spent. Atomic within
   * the process: two calls never both get the last use.
   */
  consume(id: string, maxUses: number, expiresAtMs: number): number | undefined;
  /** Uses recorded so far. */
  uses(id: string): number;
}

interface Entry {
  count: number;
  expiresAtMs: number;
}

export class MemoryReplayStore implements ReplayStore {
  protected readonly entries = new Map<string, Entry>();
  private calls = 0;

  constructor(protected readonly now: () => number = Date.now) {}

  consume(id: string, maxUses: number, expiresAtMs: number): number | undefined {
    if (++this.calls % 256 === 0) this.forgetExpired();
    const entry = this.entries.get(id) ?? { count: 0, expiresAtMs };
    if (entry.count >= maxUses) return undefined;
    entry.count++;
    this.entries.set(id, entry);
    this.recorded(id, expiresAtMs);
    return entry.count;
  }

  uses(id: string): number {
    return this.entries.get(id)?.count ?? 0;
  }

  /** Hook for persistence. */
  protected recorded(_id: string, _expiresAtMs: number): void {}

  protected forgetExpired(): void {
    const t = this.now();
    for (const [id, e] of this.entries) if (e.expiresAtMs <= t) this.entries.delete(id);
  }
}

export class FileReplayStore extends MemoryReplayStore {
  constructor(private readonly path: string, now: () => number = Date.now) {
    super(now);
    if (existsSync(path)) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        const [id, exp] = line.trim().split(' ');
        const expiresAtMs = Number(exp) * 1000;
        if (!id || !Number.isFinite(expiresAtMs)) continue;
        const e = this.entries.get(id) ?? { count: 0, expiresAtMs };
        e.count++;
        this.entries.set(id, e);
      }
    }
    this.forgetExpired();
    const lines = [...this.entries].flatMap(([id, e]) => Array<string>(e.count).fill(`${id} ${Math.ceil(e.expiresAtMs / 1000)}\n`));
    writeFileSync(`${path}.tmp`, lines.join(''), { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
  }

  protected override recorded(id: string, expiresAtMs: number): void {
    appendFileSync(this.path, `${id} ${Math.ceil(expiresAtMs / 1000)}\n`, { mode: 0o600 });
  }
}
