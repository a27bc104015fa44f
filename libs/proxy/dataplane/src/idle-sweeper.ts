// One timer for the whole proxy that closes upstream connections idle for
// too long, instead of a timer per socket.
export interface Sweepable {
  /** Closes what expired; returns true while something is still idle. */
  sweep(now: number): boolean;
}

class IdleSweeper {
  private readonly watched = new Set<Sweepable>();
  private timer: NodeJS.Timeout | undefined;

  watch(p: Sweepable): void {
    this.watched.add(p);
    if (!this.timer) {
      this.timer = setInterval(() => this.run(), 500);
      this.timer.unref();
    }
  }

  private run(): void {
    const now = Date.now();
    for (const p of this.watched) if (!p.sweep(now)) this.watched.delete(p);
    if (this.watched.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

export const idleSweeper = new IdleSweeper();
