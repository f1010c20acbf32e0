/**
 * The PatternFly components whose stylesheets the build leaves out (scripts/pf-unrendered-css.mjs): components the
 * app uses import them, but draw them only under props the app never passes. A component listed here must not be
 * used by the renderer, nor the props that draw them (scripts/pf-unrendered-css.test.ts checks both).
 */
export const UNRENDERED_PATTERNFLY_CSS: readonly string[] = ['Drawer', 'Badge', 'ActionList', 'Divider'];
