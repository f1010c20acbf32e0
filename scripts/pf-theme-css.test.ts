import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import postcss from 'postcss';
import { describe, expect, it } from 'vitest';
import { APPLIED_THEME_CLASSES } from '../renderer/app/theme-classes';
import { dropUnappliedThemes, needsUnappliedTheme } from './pf-theme-css.mjs';

const require = createRequire(import.meta.url);
const core = path.dirname(require.resolve('@patternfly/react-core/package.json'));
const styles = path.dirname(require.resolve('@patternfly/react-styles/package.json'));
const baseCss = readFileSync(path.join(core, 'dist/styles/base.css'), 'utf8');
const wizardCss = readFileSync(path.join(styles, 'css/components/Wizard/wizard.css'), 'utf8');

const trim = (css: string) => postcss([dropUnappliedThemes(APPLIED_THEME_CLASSES)]).process(css, { from: undefined }).root;

/** Every custom property a rule with exactly `selector` defines. */
function tokens(root: postcss.Root, selector: string): Map<string, string> {
  const out = new Map<string, string>();
  root.walkRules((r) => {
    if (r.selector === selector) r.walkDecls((d) => void (d.prop.startsWith('--') && out.set(d.prop, d.value)));
  });
  return out;
}

describe('needsUnappliedTheme', () => {
  const applied = ['pf-v6-theme-dark'];
  it('drops a selector that requires a theme the app never applies, alone or with the dark theme', () => {
    expect(needsUnappliedTheme(':root:where(.pf-v6-theme-glass)', applied)).toBe(true);
    expect(needsUnappliedTheme(':root:where(.pf-v6-theme-dark.pf-v6-theme-high-contrast)', applied)).toBe(true);
    expect(needsUnappliedTheme(':where(:root.pf-v6-theme-glass) .pf-v6-c-wizard:not(.pf-m-no-plain-on-glass)', applied)).toBe(true);
  });
  it('keeps the default and dark themes, a negated theme class, and a theme class inside a selector list', () => {
    expect(needsUnappliedTheme(':root', applied)).toBe(false);
    expect(needsUnappliedTheme(':root:where(.pf-v6-theme-dark)', applied)).toBe(false);
    expect(needsUnappliedTheme(':where(:root:not(.pf-v6-theme-glass)) .pf-v6-c-wizard.pf-m-plain', applied)).toBe(false);
    expect(needsUnappliedTheme(':is(.pf-v6-theme-glass, .pf-v6-c-page) .x', applied)).toBe(false);
  });
});

describe("dropUnappliedThemes on PatternFly's own stylesheets", () => {
  const before = postcss.parse(baseCss);
  const after = trim(baseCss);

  it('keeps every default and dark design token with its value, and removes the other themes', () => {
    for (const selector of [':root', ':root:where(.pf-v6-theme-dark)']) {
      const want = tokens(before, selector);
      expect(want.size).toBeGreaterThan(300);
      expect(tokens(after, selector)).toEqual(want);
    }
    const left: string[] = [];
    after.walkRules((r) => void (/pf-v6-theme-(felt|glass|high-contrast)/.test(r.selector) && left.push(r.selector)));
    expect(left).toEqual([]);
    expect(after.toString().length).toBeLessThan(baseCss.length * 0.75);
  });

  it('leaves every rule that does not name a theme as it was (resets, fonts, icons, keyframes)', () => {
    const plain = (root: postcss.Root) => {
      const out: string[] = [];
      root.walk((n) => {
        if (n.type === 'rule' && !n.selector.includes('pf-v6-theme-')) out.push(n.toString());
        if (n.type === 'atrule' && n.name !== 'media') out.push(n.toString());
      });
      return out;
    };
    expect(plain(after)).toEqual(plain(before));
  });

  it("keeps a component's rules for the default theme written with :not(.pf-v6-theme-glass), and drops its glass-only rules", () => {
    const wizard = trim(wizardCss).toString();
    expect(wizardCss).toContain(':where(:root.pf-v6-theme-glass) .pf-v6-c-wizard');
    expect(wizard).not.toContain(':where(:root.pf-v6-theme-glass)');
    expect(wizard).toContain(':where(:root:not(.pf-v6-theme-glass)) .pf-v6-c-wizard.pf-m-plain');
    expect(wizard).toContain('.pf-v6-c-wizard__nav-link');
  });
});
