import { describe, expect, it } from 'vitest';
import { median, pairRatioRange, timeIt } from './samples';

describe('median', () => {
  it('takes the middle of an odd count and the mean of the middle pair of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('pairRatioRange', () => {
  it('gives the lowest and highest ratio of the pairs, not of the sorted samples', () => {
    // Sorted apart, the extremes would be 100/200 and 300/100; paired, the ratios are 1, 1.5 and 1.
    expect(pairRatioRange([100, 300, 200], [100, 200, 200])).toEqual({ low: 1, high: 1.5 });
    expect(() => pairRatioRange([1], [1, 2])).toThrow(/as many pairs/);
  });
});

describe('timeIt', () => {
  it('measures the function, not the warm-up', () => {
    let calls = 0;
    timeIt(() => calls++, 10, 4);
    expect(calls).toBe(14);
  });
});
