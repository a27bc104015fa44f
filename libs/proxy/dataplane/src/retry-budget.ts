// The retry budget for default retries (Linkerd's model): over a sliding
// 10 s window, retries may add up to 20 % of the requests sent, plus 10 per
// second so low-traffic services can still retry. A route's own retry
// policy (a VirtualService's retries) is not limited by this budget, only by
// the cluster's circuit breakers.
const WINDOW_BUCKETS = 10;
const BUCKET_MS = 1000;

export interface RetryBudgetOptions {
  ratio: number;
  minPerSecond: number;
}

export class RetryBudget {
  private readonly requests = new Float64Array(WINDOW_BUCKETS);
  private readonly retries = new Float64Array(WINDOW_BUCKETS);
  private bucketStart = 0;
  private index = 0;

  constructor(private readonly opts: RetryBudgetOptions = { ratio: 0.2, minPerSecond: 10 }) {}

  private advance(now: number): void {
    if (this.bucketStart === 0) this.bucketStart = now;
    let steps = Math.floor((now - this.bucketStart) / BUCKET_MS);
    if (steps <= 0) return;
    if (steps > WINDOW_BUCKETS) steps = WINDOW_BUCKETS;
    for (let i = 0; i < steps; i++) {
      this.index = (this.index + 1) % WINDOW_BUCKETS;
      this.requests[this.index] = 0;
      this.retries[this.index] = 0;
    }
    this.bucketStart = now - ((now - this.bucketStart) % BUCKET_MS);
  }

  /** Counts an original request (not a retry). */
  deposit(now: number): void {
    this.advance(now);
    this.requests[this.index]! += 1;
  }

  /** Takes one retry from the budget if there is room. */
  tryWithdraw(_active: number, now: number): boolean {
    this.advance(now);
    let req = 0;
    let ret = 0;
    for (let i = 0; i < WINDOW_BUCKETS; i++) {
      req += this.requests[i]!;
      ret += this.retries[i]!;
    }
    const allowance = this.opts.ratio * req + this.opts.minPerSecond * WINDOW_BUCKETS;
    if (ret + 1 > allowance) return false;
    this.retries[this.index]! += 1;
    return true;
  }
}
