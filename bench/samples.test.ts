import { describe, expect, it } from 'vitest';
import { median, timeIt } from './samples';

describe('median', () => {
  it('takes the middle of an odd count and the mean of the middle pair of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('timeIt', () => {
  it('measures the function, not the warm-up', () => {
    let calls = 0;
    timeIt(() => calls++, 10, 4);
    expect(calls).toBe(14);
  });
});
