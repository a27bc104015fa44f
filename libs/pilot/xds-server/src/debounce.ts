// Debounce: a free function taking the push function, so tests drive it with
// a fake clock. Changes merge while they keep coming; a push goes out after
// `quietMs` without new changes, or `maxDelayMs` after the first one at the
// latest. One push runs at a time; changes during a push wait for the next.
import type { Logger } from '@sextant/util';
import { type PushRequest, mergePushRequests } from './push-request';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface DebounceOptions {
  /** Push after this long without a new change (default 100 ms). */
  quietMs?: number;
  /** Push at the latest this long after the first pending change (default 10 s). */
  maxDelayMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export const DEBOUNCE_DEFAULTS = { quietMs: 100, maxDelayMs: 10_000 } as const;

export interface Debouncer {
  /** Adds a change; it merges with whatever is pending. */
  enqueue(request: PushRequest): void;
  /** Pushes what is pending now (unless a push is running; then right after it). */
  flush(): void;
  /** Drops what is pending and stops the timer. */
  stop(): void;
  /** The merged request waiting to go out, if any. */
  readonly pending: PushRequest | undefined;
  /** Whether a push is running. */
  readonly pushing: boolean;
}

export function debounce(push: (request: PushRequest) => void | Promise<void>, options: DebounceOptions = {}): Debouncer {
  const quietMs = options.quietMs ?? DEBOUNCE_DEFAULTS.quietMs;
  const maxDelayMs = options.maxDelayMs ?? DEBOUNCE_DEFAULTS.maxDelayMs;
  const clock = options.clock ?? systemClock;
  let pending: PushRequest | undefined;
  let firstAt = 0;
  let lastAt = 0;
  let timer: unknown;
  let pushing = false;
  let stopped = false;
  let flushRequested = false;

  const schedule = (ms: number) => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = clock.setTimeout(() => {
      timer = undefined;
      evaluate();
    }, Math.max(0, ms));
  };

  const done = () => {
    pushing = false;
    if (pending && !stopped) evaluate();
  };

  const fire = () => {
    const request = pending!;
    pending = undefined;
    flushRequested = false;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    pushing = true;
    let result: void | Promise<void>;
    try {
      result = push(request);
    } catch (err) {
      options.logger?.error({ err, reason: request.reason }, 'push failed');
      done();
      return;
    }
    if (result && typeof result.then === 'function') {
      result.then(done, (err: unknown) => {
        options.logger?.error({ err, reason: request.reason }, 'push failed');
        done();
      });
    } else {
      done();
    }
  };

  const evaluate = () => {
    if (!pending || pushing || stopped) return;
    const now = clock.now();
    const quiet = now - lastAt;
    const age = now - firstAt;
    if (flushRequested || quiet >= quietMs || age >= maxDelayMs) fire();
    else schedule(Math.min(quietMs - quiet, maxDelayMs - age));
  };

  return {
    enqueue(request) {
      if (stopped) return;
      const now = clock.now();
      if (!pending) firstAt = now;
      lastAt = now;
      pending = mergePushRequests(pending, request);
      if (!pushing && timer === undefined) schedule(quietMs);
    },
    flush() {
      if (!pending) return;
      flushRequested = true;
      evaluate();
    },
    stop() {
      stopped = true;
      pending = undefined;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
    get pending() {
      return pending;
    },
    get pushing() {
      return pushing;
    },
  };
}
