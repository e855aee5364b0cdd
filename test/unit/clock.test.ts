import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ControllableClock } from '../../common/clock.js';

const REAL = Date.UTC(2030, 0, 1, 12, 0, 0); // 2030-01-01T12:00:00Z

describe('ControllableClock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: REAL });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('follows the real clock by default', () => {
    const clock = new ControllableClock();
    expect(clock.nowMs()).toBe(REAL);
    expect(clock.nowSeconds()).toBe(REAL / 1000);
    vi.setSystemTime(REAL + 1500);
    expect(clock.nowMs()).toBe(REAL + 1500);
    expect(clock.nowSeconds()).toBe(REAL / 1000 + 1);
    expect(clock.describe()).toEqual({ now: '2030-01-01T12:00:01.500Z', nowEpochSeconds: REAL / 1000 + 1, frozen: false, offsetMs: 0 });
  });

  it('set without freeze jumps and keeps running', () => {
    const clock = new ControllableClock();
    clock.set(REAL + 3_600_000);
    expect(clock.nowMs()).toBe(REAL + 3_600_000);
    vi.setSystemTime(REAL + 10_000);
    expect(clock.nowMs()).toBe(REAL + 3_610_000);
    expect(clock.describe()).toMatchObject({ frozen: false, offsetMs: 3_600_000 });
  });

  it('set with freeze stops time until advanced; advance moves it', () => {
    const clock = new ControllableClock();
    const instant = Date.UTC(2031, 5, 15, 0, 0, 0);
    clock.set(instant, true);
    vi.setSystemTime(REAL + 60_000);
    expect(clock.nowMs()).toBe(instant);
    clock.advance(90_000);
    expect(clock.nowMs()).toBe(instant + 90_000);
    expect(clock.nowSeconds()).toBe(instant / 1000 + 90);
    expect(clock.describe()).toEqual({
      now: '2031-06-15T00:01:30.000Z',
      nowEpochSeconds: instant / 1000 + 90,
      frozen: true,
      offsetMs: instant + 90_000 - (REAL + 60_000),
    });
  });

  it('advance on a running clock adds to the offset', () => {
    const clock = new ControllableClock();
    clock.advance(5000);
    clock.advance(-1000);
    expect(clock.nowMs()).toBe(REAL + 4000);
    vi.setSystemTime(REAL + 1000);
    expect(clock.nowMs()).toBe(REAL + 5000);
  });

  it('set without freeze unfreezes', () => {
    const clock = new ControllableClock();
    clock.set(REAL - 50_000, true);
    clock.set(REAL + 50_000);
    vi.setSystemTime(REAL + 1000);
    expect(clock.nowMs()).toBe(REAL + 51_000);
    expect(clock.describe().frozen).toBe(false);
  });

  it('reset returns to real time from offset and from frozen', () => {
    const clock = new ControllableClock();
    clock.advance(123_456);
    clock.reset();
    expect(clock.nowMs()).toBe(REAL);
    clock.set(0, true);
    expect(clock.nowMs()).toBe(0);
    clock.reset();
    vi.setSystemTime(REAL + 7);
    expect(clock.nowMs()).toBe(REAL + 7);
    expect(clock.describe()).toMatchObject({ frozen: false, offsetMs: 0 });
  });

  it('nowSeconds floors', () => {
    const clock = new ControllableClock();
    clock.set(1_999, true);
    expect(clock.nowSeconds()).toBe(1);
  });
});
