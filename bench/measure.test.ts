import { describe, expect, it } from 'vitest';
import { compareCommands } from './measure';

describe('compareCommands', () => {
  it('runs both commands interleaved and reports a failing command with its exit code', () => {
    const r = compareCommands({ cmd: 'true', args: [] }, { cmd: 'true', args: [] }, 2);
    expect(r.a).toBeGreaterThan(0);
    expect(r.pairRatios.low).toBeLessThanOrEqual(r.pairRatios.high);
    expect(() => compareCommands({ cmd: 'true', args: [] }, { cmd: 'false', args: [] }, 1)).toThrow(/exit 1/);
  });
});
