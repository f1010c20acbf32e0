import { describe, expect, it } from 'vitest';
import { SHEET_RULES } from './coverage';
import { RULES } from './rules';
import { MIGRATION_MESSAGES } from './migration';
import { SYMPTOM_GROUPS, SYMPTOMS } from './troubleshooting';

/** What users see that is no message (behaviour, no text to quote). */
const DESCRIPTIONS = new Set([
  'Hangs or corrupted I/O (no message)',
  'Throughput collapses',
  'PXE boot never completes',
  'Launch fails (locked memory)',
  'Mount hangs; virtiofsd exits',
]);

/** Placeholders differ in form between symptom quotes (…) and rule messages (<N>, <hex>); compare the words around them. */
const words = (text: string): string =>
  text
    .replace(/<[^>]*>|…|\d+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

describe('troubleshooting data', () => {
  it('names only fact-sheet rules and known groups, with ids in order', () => {
    const ids = new Set(SHEET_RULES.map((r) => r.id));
    for (const s of SYMPTOMS) {
      expect(
        s.rules.filter((r) => !ids.has(r)),
        s.id,
      ).toEqual([]);
      expect(
        SYMPTOM_GROUPS.map((g) => g.group),
        s.id,
      ).toContain(s.group);
    }
    expect(SYMPTOMS.map((s) => s.id)).toEqual(SYMPTOMS.map((_, i) => `T-${String(i + 1).padStart(2, '0')}`));
  });

  it('ends every symptom in an exact step in words (what the wizard says when the plan has no change for it)', () => {
    for (const s of SYMPTOMS) {
      expect(s.fix.length, s.id).toBeGreaterThan(30);
      expect(s.fix, s.id).not.toMatch(/as described|see above|the plan does this/i);
    }
    // The host's part is listed for the host-side symptoms of one technology.
    expect(SYMPTOMS.filter((s) => s.hostJobsOf).map((s) => s.id)).toEqual(['T-14', 'T-15', 'T-16', 'T-20', 'T-27', 'T-28']);
    expect(SYMPTOMS.find((s) => s.id === 'T-09')?.fix).toMatch(/iommu=pt/);
  });

  it('quotes every message the way one of its rules quotes it, so the symptom leads to a finding that says the same', () => {
    const unmatched = SYMPTOMS.flatMap((s) => {
      const fromRecords = RULES.filter((r) => s.rules.includes(r.id)).flatMap((r) => r.messages ?? []);
      // R-MIG-01 compares two definitions (migration.ts), so its messages are not on a record.
      const messages = [...fromRecords, ...(s.rules.includes('R-MIG-01') ? MIGRATION_MESSAGES : [])].map(words);
      return [s.seen, ...(s.seenAlso ?? [])]
        .filter((q) => !DESCRIPTIONS.has(q))
        .filter((q) => !messages.some((m) => m.includes(words(q)) || words(q).includes(m)))
        .map((q) => `${s.id}: ${q}`);
    });
    expect(unmatched).toEqual([]);
  });
});
