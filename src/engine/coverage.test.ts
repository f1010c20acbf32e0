/**
 * The coverage table maps every fact-sheet rule to its records or to why it is not decidable from facts, and
 * `explain` can say something about each.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { factSheetPath, missingParts } from '../../test/real-parts';
import { SHEET_RULES } from './coverage';
import { explainRule } from './explain';
import { RULES } from './rules';

describe('coverage table', () => {
  it('gives every sheet rule either records or a reason, never both', () => {
    for (const s of SHEET_RULES) {
      const records = RULES.filter((r) => r.id === s.id).length;
      expect({ id: s.id, decided: records > 0 || s.evaluatedBy !== undefined }).toEqual({
        id: s.id,
        decided: s.notDecidable === undefined,
      });
    }
  });

  it('knows every id the records use', () => {
    const ids = new Set(SHEET_RULES.map((s) => s.id));
    expect(RULES.map((r) => r.id).filter((id) => !ids.has(id))).toEqual([]);
  });

  // Under VAW_REQUIRE_REAL_PARTS=1 (CI) a missing fact sheet fails here instead of skipping.
  const noSheet = missingParts('fact-sheet');
  it.skipIf(noSheet)(`lists exactly the rule ids of the fact sheet ${noSheet ? `(skipped: ${noSheet})` : ''}`, () => {
    const ids = [
      ...new Set(
        readFileSync(factSheetPath, 'utf8')
          .match(/\*\*(R-[A-Z]+-\d+)/g)!
          .map((m) => m.slice(2)),
      ),
    ].sort();
    expect(SHEET_RULES.map((s) => s.id).sort()).toEqual(ids);
  });

  it('explains every rule, case-insensitively, and nothing else', () => {
    for (const s of SHEET_RULES) {
      const e = explainRule(s.id.toLowerCase());
      expect(e?.id).toBe(s.id);
      expect(e!.checks.length > 0 || e!.notDecidable !== undefined || e!.evaluatedBy !== undefined).toBe(true);
    }
    expect(explainRule('R-NOPE-01')).toBeNull();
  });

  it("never repeats libvirt's misleading 'emulated IOMMU' wording as the explanation", () => {
    for (const r of RULES) expect(r.explanation).not.toMatch(/enables? (the use of )?emulated IOMMU/i);
  });
});
