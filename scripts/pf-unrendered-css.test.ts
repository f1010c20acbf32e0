import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNRENDERED_PATTERNFLY_CSS } from '../renderer/app/unrendered-css';
import { dropUnrenderedPatternflyCss } from './pf-unrendered-css.mjs';

const STYLES = '/app/node_modules/@patternfly/react-styles/css/components';

/** The plugin's answer for `source` imported from `importer` (its resolveId hook is a plain function here). */
function resolve(source: string, importer: string | undefined): unknown {
  const hook = dropUnrenderedPatternflyCss(['Drawer', 'Badge']).resolveId as (s: string, i: string | undefined) => unknown;
  return hook(source, importer);
}

describe('dropUnrenderedPatternflyCss', () => {
  it("empties the stylesheet a listed component's class map imports", () => {
    expect(resolve('./drawer.css', `${STYLES}/Drawer/drawer.mjs`)).toEqual(expect.any(String));
    expect(resolve('./badge.css', `${STYLES}/Badge/badge.mjs`)).toEqual(expect.any(String));
  });
  it('leaves the stylesheets of other components, the class map itself, and the app’s own imports alone', () => {
    expect(resolve('./card.css', `${STYLES}/Card/card.mjs`)).toBeNull();
    expect(resolve('./drawer.mjs', `${STYLES}/Drawer/drawer.mjs`)).toBeNull();
    expect(resolve('@patternfly/react-styles/css/components/Drawer/drawer.css', '/app/renderer/main.tsx')).toBeNull();
    expect(resolve('./drawer.css', undefined)).toBeNull();
  });
  it('loads the emptied stylesheet as an empty module', () => {
    const plugin = dropUnrenderedPatternflyCss(['Drawer']);
    const id = (plugin.resolveId as (s: string, i: string) => string)('./drawer.css', `${STYLES}/Drawer/drawer.mjs`);
    expect((plugin.load as (id: string) => unknown)(id)).toBe('');
    expect((plugin.load as (id: string) => unknown)('/app/renderer/styles.css')).toBeNull();
  });
});

/** The renderer's own sources (tests excluded). */
function rendererSources(dir = path.join(import.meta.dirname, '../renderer')): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return rendererSources(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [{ file: p, text: readFileSync(p, 'utf8') }] : [];
  });
}

describe('the components whose stylesheets the build leaves out', () => {
  const sources = rendererSources();
  it('are never imported by the renderer', () => {
    const imported = sources.flatMap(({ file, text }) =>
      [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@patternfly\/react-core'/g)].flatMap((m) =>
        m[1]!
          .split(',')
          .map((n) => n.trim())
          .filter((n) => UNRENDERED_PATTERNFLY_CSS.some((c) => n.startsWith(c)))
          .map((n) => `${path.basename(file)}: ${n}`),
      ),
    );
    expect(sources.length).toBeGreaterThan(20);
    expect(imported).toEqual([]);
  });
  it('are never drawn through the props that make PatternFly draw them (Page, Button, SearchInput, ToolbarItem)', () => {
    const props = sources.flatMap(({ file, text }) =>
      [...text.matchAll(/\b(notificationDrawer|countOptions|resultsCount)\s*=|variant="separator"/g)].map(
        (m) => `${path.basename(file)}: ${m[0]}`,
      ),
    );
    expect(props).toEqual([]);
  });
  it("are not drawn by a Wizard's default footer: every Wizard brings its own", () => {
    const wizards = sources.filter(({ text }) => /<Wizard\s/.test(text));
    expect(wizards.length).toBeGreaterThan(0);
    for (const { text } of wizards) expect(text.match(/<Wizard\s/g)!.length).toBe(text.match(/\bfooter=\{/g)?.length ?? 0);
  });
});
