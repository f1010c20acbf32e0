import type { Plugin } from 'vite';
export declare function dropUnrenderedPatternflyCss(components: readonly string[]): Plugin;
