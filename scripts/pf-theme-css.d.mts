import type { Plugin } from 'postcss';
export declare function needsUnappliedTheme(selector: string, applied: readonly string[]): boolean;
export declare const dropUnappliedThemes: ((applied: readonly string[]) => Plugin) & { postcss: true };
