import { describe, expect, it } from 'vitest';
import { lastOf } from './last-result';

describe('lastOf', () => {
  const counted = () => {
    const calls: unknown[][] = [];
    const fn = lastOf((a: unknown, b?: unknown) => {
      calls.push([a, b]);
      return { a, b };
    });
    return { fn, calls };
  };

  it('returns the kept result for the same arguments, computing once', () => {
    const { fn, calls } = counted();
    const first = fn('text', 1);
    expect(fn('text', 1)).toBe(first);
    // Equal strings are the same value, however they were made.
    expect(fn(['te', 'xt'].join(''), 1)).toBe(first);
    expect(calls).toHaveLength(1);
  });

  it('computes again for other arguments, and keeps only the last', () => {
    const { fn, calls } = counted();
    const a = fn('a');
    fn('b');
    expect(fn('a')).not.toBe(a);
    expect(calls.map(([x]) => x)).toEqual(['a', 'b', 'a']);
  });

  it('compares objects by identity, not by content', () => {
    const { fn, calls } = counted();
    const fact = { version: '10.0.0' };
    fn(fact);
    fn(fact);
    fn({ version: '10.0.0' });
    expect(calls).toHaveLength(2);
  });

  it('tells a missing argument from one given as undefined only by count', () => {
    const { fn, calls } = counted();
    fn('x');
    fn('x', undefined);
    expect(calls).toHaveLength(2);
  });
});
