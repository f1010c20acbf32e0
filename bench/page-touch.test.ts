import { describe, expect, it } from 'vitest';
import { pageTouch } from './page-touch';

describe('pageTouch', () => {
  it('times first writes to fresh pages in a Node process of its own, and counts the pages Node took to start', () => {
    const probe = pageTouch();
    // A fault costs a tenth of a microsecond or more per 4 KiB even with huge pages; writes to mapped memory, ~1 ns.
    expect(probe.microseconds).toBeGreaterThan(0.01);
    expect(probe.microseconds).toBeLessThan(10_000);
    // Node maps its binary, heap and snapshot before any script runs: hundreds of pages at the very least.
    expect(probe.nodePages).toBeGreaterThan(200);
  });
});
