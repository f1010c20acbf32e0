/** The lossless domain document: parse, read facts, edit with minimal splices, diff. */
export { XmlInputError, lineColumn } from './xml-input-error';
export { XmlElement, resolvePath, parsePathSteps } from './xml-tree';
export type { XmlAttribute, XmlCData, XmlComment, XmlDocument, XmlNode, XmlProcessingInstruction, XmlText, PathStep } from './xml-tree';
export { parseXml, type XmlParseMode } from './parse-xml';
export { elementIndexOf } from './element-index';
export type { ElementIndex } from './element-index';
export { parseDomainXml, serialise } from './domain-document';
export type { DomainDocument } from './domain-document';
export { readDomainFacts, LIBOSINFO_NS } from './read-domain-facts';
export { classifyMachine, classifyArch } from './machine-type';
export { applyEdits, applyEditsForReading, EditError, escapeAttribute } from './apply-edits';
export type { ReadingTree } from './reading-tree';
export { unifiedDiff } from './unified-diff';
export type { TextChange } from './text-change';
export { detectXmlEncoding, nonUtf8Encoding } from './xml-encoding';
export type { DetectedEncoding } from './xml-encoding';
export { MAX_XML_DEPTH } from './parse-xml';
