/**
 * The PatternFly theme classes this app ever puts on <html> (theme.ts). The build drops the CSS of every other
 * PatternFly theme (scripts/pf-theme-css.mjs), so a class added here must be added to this list to be styled.
 */
export const DARK_THEME_CLASS = 'pf-v6-theme-dark';
export const APPLIED_THEME_CLASSES: readonly string[] = [DARK_THEME_CLASS];
