import { describe, expect, it } from 'vitest';
import { RULES, ruleIds } from '.';
import { explainTopic, topicIds } from './swiotlb-explain';
import { POOL_RELEASES } from './swiotlb-pool';

describe('explain SWIOTLB', () => {
  it('is found by its name in any case, beside the rule ids and distinct from them', () => {
    expect(explainTopic('swiotlb')?.id).toBe('SWIOTLB');
    expect(explainTopic('R-LNX-03')).toBeNull();
    expect(topicIds().filter((t) => ruleIds().includes(t))).toEqual([]);
  });

  it('gives the releases the engine sizes the pool by, and the rules that report it', () => {
    const t = explainTopic('SWIOTLB')!;
    const text = t.sections.map((s) => s.text).join(' ');
    for (const r of Object.values(POOL_RELEASES)) expect(text).toContain(`${r.major}.${r.minor}`);
    expect(text).toMatch(/swiotlb=262144 is 512 MiB/);
    expect(t.rules.every((id) => RULES.some((r) => r.id === id))).toBe(true);
  });

  it('quotes the message R-LNX-04 warns of, and cites sources with URLs', () => {
    const t = explainTopic('SWIOTLB')!;
    const lnx04 = RULES.find((r) => r.key === 'R-LNX-04')!;
    expect(t.messages).toEqual(expect.arrayContaining([...(lnx04.messages ?? [])]));
    expect(t.sources.length).toBeGreaterThan(5);
    expect(t.sources.every((s) => s.url?.startsWith('https://github.com/'))).toBe(true);
  });
});
