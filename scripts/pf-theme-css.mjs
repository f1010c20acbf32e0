// PatternFly 6 ships the design tokens and component rules of every theme it has (felt, glass, high contrast, and
// their dark variants) in each stylesheet; a page only pays for them. This PostCSS plugin drops the selectors that
// can match only under a theme class the app never puts on <html> (renderer/app/theme-classes.ts), so the first
// step parses and matches less CSS (bench: ui.navigation-to-first-step). A selector is dropped only when such a
// class is required by it: one inside :not(...) (":root:not(.pf-v6-theme-glass)") is kept, and so is any selector
// whose theme class sits in a selector list (":is(.pf-v6-theme-glass, .x)"), which could match without it.

const THEME_CLASS = /\.(pf-v6-theme-[a-z0-9-]+)/g;

/** `selector` without its :not(...) arguments (balanced parentheses). */
function withoutNegations(selector) {
  let out = '';
  for (let i = 0; i < selector.length;) {
    if (!selector.startsWith(':not(', i)) {
      out += selector[i++];
      continue;
    }
    let depth = 0;
    let j = i + ':not'.length;
    for (; j < selector.length; j++) {
      if (selector[j] === '(') depth++;
      else if (selector[j] === ')' && --depth === 0) break;
    }
    i = j + 1;
  }
  return out;
}

/** Whether `selector` can match only while a theme class outside `applied` is on an element. */
export function needsUnappliedTheme(selector, applied) {
  const positive = withoutNegations(selector);
  if (positive.includes(',')) return false;
  return [...positive.matchAll(THEME_CLASS)].some((m) => !applied.includes(m[1]));
}

/** The PostCSS plugin; `applied` lists the theme classes the app sets (e.g. ['pf-v6-theme-dark']). */
export function dropUnappliedThemes(applied) {
  return {
    postcssPlugin: 'drop-unapplied-patternfly-themes',
    OnceExit(root) {
      root.walkRules((rule) => {
        if (rule.parent?.type === 'atrule' && /keyframes$/i.test(rule.parent.name)) return;
        const kept = rule.selectors.filter((s) => !needsUnappliedTheme(s, applied));
        if (kept.length === 0) rule.remove();
        else if (kept.length < rule.selectors.length) rule.selectors = kept;
      });
      // An @media or @supports block whose every rule went.
      root.walkAtRules((at) => {
        if (at.nodes && at.nodes.length === 0) at.remove();
      });
    },
  };
}
dropUnappliedThemes.postcss = true;
