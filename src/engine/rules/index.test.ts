import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_FILES, RULES } from './index';

describe('rule files', () => {
  it('hold only records of their own fact-sheet id prefix, so an id leads to its file', () => {
    const misplaced = RULE_FILES.flatMap((f) => f.records.filter((r) => !r.id.startsWith(f.prefix)).map((r) => `${r.key} in ${f.file}`));
    expect(misplaced).toEqual([]);
  });
  it('list every record exactly once, and every rule file of the folder', () => {
    const listed = RULE_FILES.flatMap((f) => f.records.map((r) => r.key)).sort();
    expect(listed).toEqual(RULES.map((r) => r.key).sort());
    const files = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const helpers = ['index.ts', 'shared.ts', 'technology-records.ts'];
    expect(files.filter((f) => !helpers.includes(f)).sort()).toEqual(RULE_FILES.map((f) => path.basename(f.file)).sort());
  });
});
