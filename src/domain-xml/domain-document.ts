/**
 * A parsed libvirt domain: `parseXml` plus the requirement that the root is `<domain>`.
 */
import { parseXml, type XmlParseMode } from './parse-xml';
import { lineColumn, XmlInputError } from './xml-input-error';
import type { XmlDocument } from './xml-tree';

/** A document whose root element is `<domain>`. */
export interface DomainDocument extends XmlDocument {
  readonly isDomain: true;
}

/**
 * Parses a libvirt domain XML document (lossless unless `mode` is 'facts', see XmlParseMode); a root other than
 * `<domain>` is an `XmlInputError`.
 */
export function parseDomainXml(text: string, fileName = '<input>', mode: XmlParseMode = 'lossless'): DomainDocument {
  const doc = parseXml(text, fileName, mode);
  if (doc.root.name !== 'domain') {
    const { line, column } = lineColumn(text, doc.root.start);
    throw new XmlInputError(
      fileName,
      line,
      column,
      `the root element is <${doc.root.name}>, not <domain>`,
      'Give a libvirt domain definition, e.g. the output of `virsh dumpxml --inactive NAME`.',
    );
  }
  return { ...doc, isDomain: true };
}

/** The document's text: identical bytes for an unedited document (edits go through `applyEdits`). */
export function serialise(doc: XmlDocument): string {
  return doc.text;
}
