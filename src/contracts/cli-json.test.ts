import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { domain, input, LINUX_GUEST } from '../../test/engine-facts';
import { swiotlbReport } from '../engine';
import { isCheckJson, isPlanJson, SwiotlbReportSchema } from './cli-json';

const sevReport = () =>
  swiotlbReport(
    input({ domain: domain({ launchSecurity: { ...domain().launchSecurity, type: 'sev', present: true } }), guest: LINUX_GUEST }),
  )!;

describe('"swiotlb" in check --json and plan --json', () => {
  it("accepts the engine's report per file, and files without one", () => {
    const report = sevReport();
    expect(v.is(SwiotlbReportSchema, report)).toBe(true);
    expect(
      isCheckJson({
        files: [
          { file: 'a.xml', domain: 'a', findings: [], swiotlb: report },
          { file: 'b.xml', domain: null, findings: [] },
        ],
      }),
    ).toBe(true);
    expect(isPlanJson({ file: 'a.xml', domain: 'a', edits: [], findings: [], xml: '<domain/>', swiotlb: report })).toBe(true);
  });

  it('refuses a report that misses a figure, has a parameter that is not swiotlb=, or carries unknown keys', () => {
    const report = sevReport();
    const { peakMiB: _dropped, ...withoutPeak } = report;
    expect(v.is(SwiotlbReportSchema, withoutPeak)).toBe(false);
    expect(v.is(SwiotlbReportSchema, { ...report, parameter: '262144' })).toBe(false);
    expect(v.is(SwiotlbReportSchema, { ...report, extra: 1 })).toBe(false);
    expect(v.is(SwiotlbReportSchema, { ...report, where: 'grub' })).toBe(false);
  });
});
