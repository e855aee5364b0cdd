/**
 * One clock for the whole stack. Token lifetimes, expiry checks and key dates read it, so a test
 * (or the harness control surface) can set or advance "now" instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
  /** Whole seconds since the epoch, as JWT `iat`/`exp` use. */
  nowSeconds(): number;
}

export class ControllableClock implements Clock {
  /** Offset from real time; 0 means the real clock. */
  private offsetMs = 0;
  /** When set, time stands still at this instant (plus later advances). */
  private frozenAtMs: number | undefined;

  nowMs(): number {
    return this.frozenAtMs ?? Date.now() + this.offsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** Jump to an instant; with `freeze`, time stops there until advanced or reset. */
  set(instantMs: number, freeze = false): void {
    if (freeze) {
      this.frozenAtMs = instantMs;
    } else {
      this.frozenAtMs = undefined;
      this.offsetMs = instantMs - Date.now();
    }
  }

  advance(ms: number): void {
    if (this.frozenAtMs !== undefined) this.frozenAtMs += ms;
    else this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
    this.frozenAtMs = undefined;
  }

  describe(): { now: string; nowEpochSeconds: number; frozen: boolean; offsetMs: number } {
    const now = this.nowMs();
    return {
      now: new Date(now).toISOString(),
      nowEpochSeconds: Math.floor(now / 1000),
      frozen: this.frozenAtMs !== undefined,
      offsetMs: this.frozenAtMs !== undefined ? this.frozenAtMs - Date.now() : this.offsetMs,
    };
  }
}
