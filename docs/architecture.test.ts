/**
 * docs/architecture.md makes claims about the code; this holds the page to them (see its introduction): cited
 * code is still in its file, named paths exist, the module map's names are exported where it says, and every
 * module's imports stay inside the process-boundary table. Sections about code not merged yet are skipped,
 * visibly, until their marker is removed from the heading.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  boundaryTable,
  citationsIn,
  exportsOf,
  holdsCitedCode,
  importsOf,
  listedExports,
  modulesBelow,
  pathsIn,
  resolveDocPath,
  splitAtMarker,
  type BoundaryRow,
} from '../test/doc-claims';

const page = readFileSync(path.join(__dirname, 'architecture.md'), 'utf8');
const PENDING = 'checked after the ui branch lands';
const { checked, pending } = splitAtMarker(page, PENDING);

describe('docs/architecture.md', () => {
  const citations = citationsIn(checked);
  it('cites code and names paths and exports', () => {
    expect(citations.length).toBeGreaterThan(30);
    expect(listedExports(checked).length).toBeGreaterThan(150);
  });

  it.each(citations.map((c) => [`${c.file} ${c.snippet}`, c] as const))('%s: the file still holds the cited code', (_label, c) => {
    expect(holdsCitedCode(c), `${c.file} should contain ${c.snippet}`).toBe(true);
  });

  it('names only paths that exist', () => {
    expect(pathsIn(checked).filter((p) => !resolveDocPath(p.path, p.folder))).toEqual([]);
  });

  it("lists in the module map only names the module exports (a folder's index until a file is named)", () => {
    const wrong = listedExports(checked).filter((c) => !exportsOf(c.module).has(c.name));
    expect(wrong.map((c) => `${c.module} does not export ${c.name}`)).toEqual([]);
  });

  const rows = boundaryTable(checked, 'Process boundaries');
  it('has a process-boundary table covering src/, main/, renderer/ and cli/', () => {
    const covered = new Set(rows.flatMap((r) => r.modules));
    expect([...covered].sort()).toEqual(
      [
        'src/',
        'main/services/',
        'main/ipc/',
        'main/serve/',
        'main/window-policy.ts',
        'main/app.ts',
        'main/window.ts',
        'main/protocol.ts',
        'main/preload/',
        'renderer/',
        'cli/',
      ].sort(),
    );
  });

  it('is obeyed: every module imports only what its row of the table allows', () => {
    const rowOf = (file: string): BoundaryRow | undefined =>
      rows
        .flatMap((r) => r.modules.map((m) => ({ m, r })))
        .filter(({ m }) => (m.endsWith('/') ? file.startsWith(m) : file === m))
        .sort((a, b) => b.m.length - a.m.length)[0]?.r;
    const builtins = new Set(builtinModules);
    const breaches: string[] = [];
    for (const file of modulesBelow(['src', 'main', 'renderer', 'cli'])) {
      const row = rowOf(file);
      if (!row) {
        breaches.push(`${file} is in no row`);
        continue;
      }
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.')) {
          const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
          const targetRow = rowOf(target) ?? rowOf(`${target}.ts`) ?? rowOf(`${target}/`);
          const allowed =
            targetRow === row || row.mayImport.some((m) => (m.endsWith('/') ? target.startsWith(m) : target === m.replace(/\.ts$/, '')));
          if (!allowed) breaches.push(`${file} imports ${target}`);
        } else if (spec.startsWith('node:') || builtins.has(spec.split('/')[0]!)) {
          if (!row.node) breaches.push(`${file} imports Node's ${spec}`);
        } else if (spec === 'electron' && !row.electron) breaches.push(`${file} imports electron`);
      }
    }
    expect(breaches).toEqual([]);
  });

  const pendingClaims = [
    ...new Set([...citationsIn(pending).map((c) => `${c.file} ${c.snippet}`), ...pathsIn(pending).map((p) => p.path)]),
  ];
  it.skip.each(pendingClaims.map((c) => [c]))(`%s (skipped: its section is ${PENDING})`, () => undefined);
});
