import { describe, expect, it } from 'vitest';
import { PROGRESS_INTERVAL_MS, ProgressThrottle } from '../src/main/services/progress-throttle';
import { FakeClock } from './helpers/fake-training';

function throttled(clock: FakeClock): { throttle: ProgressThrottle<number>; emitted: { value: number; at: number }[] } {
  const emitted: { value: number; at: number }[] = [];
  const throttle = new ProgressThrottle<number>((value) => emitted.push({ value, at: clock.now() }), clock);
  return { throttle, emitted };
}

describe('progress throttle (fake clock)', () => {
  it('sends the first update at once, holds the rest, and sends the latest when the interval ends', () => {
    const clock = new FakeClock();
    const { throttle, emitted } = throttled(clock);
    throttle.push(1);
    clock.advance(10);
    throttle.push(2);
    clock.advance(10);
    throttle.push(3);
    expect(emitted).toEqual([{ value: 1, at: 0 }]);
    clock.advance(79);
    expect(emitted).toHaveLength(1);
    clock.advance(1);
    expect(emitted).toEqual([
      { value: 1, at: 0 },
      { value: 3, at: 100 },
    ]);
    clock.advance(1000);
    expect(emitted).toHaveLength(2); // nothing pending, nothing sent
    throttle.push(4);
    expect(emitted.at(-1)).toEqual({ value: 4, at: 1100 });
  });

  it('lets at most ten updates a second through a flood, and never loses the last one', () => {
    const clock = new FakeClock();
    const { throttle, emitted } = throttled(clock);
    // 5,000 batches in 5 s (one per millisecond), as a GPU on small images might report.
    for (let step = 1; step <= 5000; step++) {
      throttle.push(step);
      clock.advance(1);
    }
    clock.advance(PROGRESS_INTERVAL_MS);
    expect(emitted.length).toBeLessThanOrEqual(51);
    expect(emitted.length).toBeGreaterThanOrEqual(49);
    for (let i = 1; i < emitted.length; i++) {
      expect((emitted[i]?.at ?? 0) - (emitted[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(PROGRESS_INTERVAL_MS);
    }
    expect(emitted.at(-1)?.value).toBe(5000);
  });

  it('flush sends the held update now; cancel drops it', () => {
    const clock = new FakeClock();
    const { throttle, emitted } = throttled(clock);
    throttle.push(1);
    throttle.push(2);
    throttle.flush();
    expect(emitted.map((entry) => entry.value)).toEqual([1, 2]);
    throttle.push(3);
    throttle.cancel();
    clock.advance(1000);
    expect(emitted.map((entry) => entry.value)).toEqual([1, 2]);
  });
});
