import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusXmlFiles } from '../../test/corpus-files';
import { missingParts } from '../../test/real-parts';
import { elementIndexOf, elementOverlapping, indexedXpath } from './element-index';
import { parseXml } from './parse-xml';
import type { XmlDocument, XmlElement } from './xml-tree';

/** Every element of a parse, in document order. */
function elementsOf(doc: XmlDocument): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (el: XmlElement): void => {
    out.push(el);
    el.children().forEach(walk);
  };
  walk(doc.root);
  return out;
}

/** The tree's own answer to elementOverlapping: the last match of a walk that visits children last to first. */
function overlappingInTree(doc: XmlDocument, name: string, from: number, to: number): XmlElement | undefined {
  let best: XmlElement | undefined;
  const stack: XmlElement[] = [doc.root];
  for (let el = stack.pop(); el; el = stack.pop()) {
    if (el.name === name && el.start < to && el.startTagEnd > from) best = el;
    stack.push(...el.children());
  }
  return best;
}

/**
 * Holds the index of `text` to its parse: each element's XPath, and the element found at each line for the name of
 * every element and of one that is not there. Returns the mismatches, as words.
 */
function indexMismatches(text: string): string[] {
  const doc = parseXml(text);
  const index = elementIndexOf(doc);
  const elements = elementsOf(doc);
  const out: string[] = [];
  if (index.names.join() !== elements.map((e) => e.name).join()) out.push('the elements differ');
  elements.forEach((el, i) => {
    if (indexedXpath(index, i) !== el.xpath) out.push(`${indexedXpath(index, i)} is ${el.xpath} in the tree`);
  });
  const names = [...new Set(index.names), 'not-there'];
  const lineStarts = [0, ...[...text.matchAll(/\r\n?|\n/g)].map((m) => m.index + m[0].length), text.length];
  for (let line = 0; line + 1 < lineStarts.length; line++) {
    const [from, to] = [lineStarts[line]!, lineStarts[line + 1]!];
    for (const name of names) {
      const at = elementOverlapping(index, name, from, to);
      const found = at === -1 ? undefined : elements[at];
      const expected = overlappingInTree(doc, name, from, to);
      if (found !== expected) out.push(`line ${line + 1}, <${name}>: ${found?.xpath} instead of ${expected?.xpath}`);
    }
  }
  return out;
}

function expectIndexMatchesTree(text: string): void {
  expect(indexMismatches(text)).toEqual([]);
}

describe('elementIndexOf', () => {
  it('names every element as XmlElement.xpath does: devices always indexed, other steps only among namesakes', () => {
    const text =
      '<domain>\n  <devices>\n    <disk/>\n    <interface><driver/></interface>\n    <disk><driver/><driver/></disk>\n  </devices>\n' +
      '  <cpu><feature/><feature/></cpu>\n  <os><devices><x/></devices></os>\n</domain>\n';
    const index = elementIndexOf(parseXml(text));
    const paths = index.names.map((_, i) => indexedXpath(index, i));
    expect(paths).toEqual([
      '/domain',
      '/domain/devices',
      '/domain/devices/disk[1]',
      '/domain/devices/interface[1]',
      '/domain/devices/interface[1]/driver',
      '/domain/devices/disk[2]',
      '/domain/devices/disk[2]/driver[1]',
      '/domain/devices/disk[2]/driver[2]',
      '/domain/cpu',
      '/domain/cpu/feature[1]',
      '/domain/cpu/feature[2]',
      '/domain/os',
      '/domain/os/devices',
      '/domain/os/devices/x',
    ]);
    expectIndexMatchesTree(text);
  });

  it('finds the innermost of nested namesakes on a line, else the first of them', () => {
    const text = '<domain>\n  <a><a/></a>\n  <b/><b/>\n</domain>\n';
    const index = elementIndexOf(parseXml(text));
    const line = (n: number): [number, number] => {
      const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)];
      return [starts[n - 1]!, starts[n]!];
    };
    expect(indexedXpath(index, elementOverlapping(index, 'a', ...line(2)))).toBe('/domain/a/a');
    expect(indexedXpath(index, elementOverlapping(index, 'b', ...line(3)))).toBe('/domain/b[1]');
    expect(elementOverlapping(index, 'c', ...line(2))).toBe(-1);
    expectIndexMatchesTree(text);
  });

  it('matches the tree for start tags over several lines and CR line breaks', () => {
    expectIndexMatchesTree(
      "<domain>\r  <devices>\r    <disk\r      type='file'>\r      <driver\r/>\r    </disk>\r  </devices>\r</domain>\r",
    );
  });
});

const missing = missingParts('corpus');
describe.skipIf(missing)(`element index over the corpus ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it("gives every corpus domain's elements the tree's XPaths, and finds the tree's element at every line by each name", () => {
    const files = corpusXmlFiles().filter((f) => f.kind.includes('input') || f.kind.includes('expected') || f.kind.includes('xmlparse'));
    let documents = 0;
    const mismatches: string[] = [];
    for (const f of files) {
      const text = readFileSync(f.abs, 'utf8');
      if (!text.includes('<domain')) continue;
      try {
        parseXml(text);
      } catch {
        continue;
      }
      mismatches.push(...indexMismatches(text).map((m) => `${f.rel}: ${m}`));
      documents++;
    }
    expect(mismatches).toEqual([]);
    expect(documents).toBeGreaterThan(300);
  }, 120_000);
});
