/**
 * Namespace well-formedness (Namespaces in XML 1.0), checked per start tag as libxml2 2.9's SAX2 parser does
 * (parser.c `xmlParseStartTag2`, `xmlParseQName`): every prefix is declared in scope, declarations do not
 * rebind `xml` or `xmlns`, a prefix is never bound to the empty name, namespace names are URI references, and no
 * two attributes share an expanded name. libxml2 reports these as namespace errors, which libvirt's parser logs
 * as XML errors; they are refused here.
 */
import { isUriReference, splitQName, XML_NAMESPACE, XMLNS_NAMESPACE } from './xml-chars';
import type { XmlElement } from './xml-tree';

/** Prefix → namespace name in scope at an element; shared by descendants that declare nothing. */
export type NamespaceScope = ReadonlyMap<string, string>;

/** The scope at the root: only `xml` is bound. */
export const ROOT_SCOPE: NamespaceScope = new Map([['xml', XML_NAMESPACE]]);

/** A namespace problem at an offset; never returns. */
export type NamespaceFail = (problem: string, at: number, hint: string) => never;

const DECLARE_HINT =
  'Declare the prefix on this element or an ancestor, e.g. xmlns:p="http://example.org/ns" (libvirt writes <metadata> this way), or remove the prefix.';
const BINDING_HINT = 'Bind the prefix to the URI of the namespace it stands for; the xml and xmlns prefixes are reserved.';

function declaration(el: XmlElement, scope: NamespaceScope, fail: NamespaceFail): NamespaceScope {
  let own: Map<string, string> | null = null;
  for (const a of el.attributes) {
    if (a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) continue;
    const uri = a.value;
    if (uri === XMLNS_NAMESPACE) fail(`${a.name}: the xmlns namespace name cannot be bound`, a.start, BINDING_HINT);
    if (a.name === 'xmlns') {
      if (uri === XML_NAMESPACE) fail('the XML namespace cannot be the default namespace', a.start, BINDING_HINT);
    } else {
      const prefix = a.name.slice(6);
      if (splitQName(prefix)?.prefix !== '' || prefix === '')
        fail(`"${a.name}" is not a valid namespace declaration`, a.start, BINDING_HINT);
      if (prefix === 'xmlns') fail('the xmlns prefix cannot be declared', a.start, BINDING_HINT);
      if (prefix === 'xml' ? uri !== XML_NAMESPACE : uri === XML_NAMESPACE)
        fail(`${a.name}: the xml prefix and the XML namespace belong only to each other`, a.start, BINDING_HINT);
      if (uri === '') fail(`${a.name}: a prefix cannot be bound to an empty namespace name`, a.start, BINDING_HINT);
      if (prefix !== 'xml') (own ??= new Map(scope)).set(prefix, uri);
    }
    if (uri !== '' && !isUriReference(uri)) fail(`${a.name}: "${uri}" is not a valid URI`, a.valueStart, BINDING_HINT);
  }
  return own ?? scope;
}

/** The namespace of a prefixed name, or a namespace error. */
function resolve(name: string, at: number, scope: NamespaceScope, fail: NamespaceFail): string | null {
  const q = splitQName(name);
  if (!q) return fail(`"${name}" is not a valid qualified name (at most one ":", with a name on each side)`, at, DECLARE_HINT);
  if (q.prefix === '') return null;
  const uri = scope.get(q.prefix);
  if (uri === undefined) fail(`the namespace prefix "${q.prefix}" of ${name} is not declared`, at, DECLARE_HINT);
  return `${uri} ${q.local}`;
}

/** Whether the element or one of its attributes has a prefix, or it declares a default namespace. */
function touchesNamespaces(el: XmlElement): boolean {
  if (el.name.indexOf(':') !== -1) return true;
  // An indexed loop, not every(): this runs for every element, on V8's baseline tier in a one-shot CLI run.
  const attributes = el.attributes;
  for (let i = 0; i < attributes.length; i++) {
    const name = attributes[i]!.name;
    if (name === 'xmlns' || name.indexOf(':') !== -1) return true;
  }
  return false;
}

/** Checks one start tag; returns the scope for its content. */
export function checkNamespaces(el: XmlElement, parentScope: NamespaceScope, fail: NamespaceFail): NamespaceScope {
  // Most libvirt elements have no prefix and declare nothing: nothing to check.
  if (!touchesNamespaces(el)) return parentScope;
  const scope = el.attributes.length === 0 ? parentScope : declaration(el, parentScope, fail);
  resolve(el.name, el.start + 1, scope, fail);
  let expanded: Set<string> | null = null;
  for (const a of el.attributes) {
    if (a.name.indexOf(':') === -1 || a.name.startsWith('xmlns:')) continue;
    const key = resolve(a.name, a.start, scope, fail);
    if (key === null) continue;
    expanded ??= new Set();
    if (expanded.has(key))
      fail(`attribute ${a.name} repeats another attribute of <${el.name}> in the same namespace`, a.start, DECLARE_HINT);
    expanded.add(key);
  }
  return scope;
}

/**
 * The namespace name an element's prefix (or, without one, the default namespace) stands for, declared on it or
 * an ancestor; undefined when none is declared. For reading parsed documents (libosinfo metadata, QEMU's
 * namespace), which the parser has already checked.
 */
export function namespaceOf(el: XmlElement): string | undefined {
  const colon = el.name.indexOf(':');
  const declaration = colon === -1 ? 'xmlns' : `xmlns:${el.name.slice(0, colon)}`;
  for (let at: XmlElement | null = el; at; at = at.parent) {
    const uri = at.attr(declaration);
    if (uri !== undefined) return uri;
  }
  return undefined;
}
