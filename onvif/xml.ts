import { WeisuError } from '../core/errors.js';

/**
 * A small strict XML reader for SOAP messages from cameras (and, in tests, from weisu to the virtual camera).
 * A camera is hostile: no DOCTYPE (so no entity expansion, no external entities), only the five predefined
 * entities and character references, bounded size, depth and element count, namespaces resolved so that
 * `tt:Name` is matched by its namespace URI and local name, never by whatever prefix the sender chose.
 */
export interface XmlElement {
  /** Namespace URI ('' when none is in scope). */
  ns: string;
  /** Local name, without prefix. */
  name: string;
  /** Attributes by local name (namespace declarations left out). */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Text directly inside this element, trimmed. */
  text: string;
}

export const XML_MAX_DEPTH = 48;
export const XML_MAX_ELEMENTS = 20_000;

export class XmlError extends WeisuError {
  constructor(message: string) {
    super('xml_invalid', message, { fix: 'the peer sent a malformed or oversized SOAP message; check its firmware or address' });
  }
}

const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeText(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]{1,10});|&/g, (m, ref: string | undefined) => {
    if (ref === undefined) throw new XmlError('bare "&" in text');
    if (ref in ENTITIES) return ENTITIES[ref]!;
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#\d{1,7}$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
    if (!Number.isFinite(code) || code > 0x10ffff || code === 0) throw new XmlError(`unknown entity "${m}" (only the five predefined ones and character references are allowed)`);
    return String.fromCodePoint(code);
  });
}

interface Open {
  el: XmlElement;
  qname: string;
  scope: Map<string, string>;
  text: string[];
}

/** Parses one XML document of at most `maxBytes` characters into its root element. */
export function parseXml(doc: string, maxBytes: number): XmlElement {
  if (doc.length > maxBytes) throw new XmlError(`message is ${doc.length} bytes, over the ${maxBytes}-byte cap`);
  let i = 0;
  let count = 0;
  let root: XmlElement | undefined;
  const stack: Open[] = [];
  const rootScope = new Map<string, string>([['xml', 'http://www.w3.org/XML/1998/namespace']]);
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    const textEnd = lt < 0 ? doc.length : lt;
    if (textEnd > i) {
      const text = doc.slice(i, textEnd);
      if (stack.length) stack.at(-1)!.text.push(decodeText(text));
      else if (text.trim()) throw new XmlError('text outside the root element');
    }
    if (lt < 0) break;
    if (doc.startsWith('<?', lt)) {
      const end = doc.indexOf('?>', lt);
      if (end < 0 || !/^<\?xml[\s?]/.test(doc.slice(lt, lt + 6)) || doc.slice(0, lt).trim() !== '' || root) throw new XmlError('processing instructions other than the XML declaration are not allowed');
      i = end + 2;
    } else if (doc.startsWith('<!--', lt)) {
      const end = doc.indexOf('-->', lt + 4);
      if (end < 0) throw new XmlError('unterminated comment');
      i = end + 3;
    } else if (doc.startsWith('<![CDATA[', lt)) {
      const end = doc.indexOf(']]>', lt + 9);
      if (end < 0 || !stack.length) throw new XmlError('CDATA outside an element or unterminated');
      stack.at(-1)!.text.push(doc.slice(lt + 9, end));
      i = end + 3;
    } else if (doc.startsWith('<!', lt)) {
      throw new XmlError('DOCTYPE and other declarations are not allowed');
    } else if (doc.startsWith('</', lt)) {
      const end = doc.indexOf('>', lt);
      if (end < 0) throw new XmlError('unterminated closing tag');
      const qname = doc.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (!open || open.qname !== qname) throw new XmlError(`closing tag </${qname}> does not match <${open?.qname ?? '(none)'}>`);
      open.el.text = open.text.join('').trim();
      i = end + 1;
    } else {
      const tag = readTag(doc, lt);
      if (++count > XML_MAX_ELEMENTS) throw new XmlError(`more than ${XML_MAX_ELEMENTS} elements`);
      if (stack.length >= XML_MAX_DEPTH) throw new XmlError(`nesting deeper than ${XML_MAX_DEPTH}`);
      if (!stack.length && root) throw new XmlError('more than one root element');
      const parentScope = stack.at(-1)?.scope ?? rootScope;
      const scope = new Map(parentScope);
      for (const [k, v] of tag.attrs) {
        if (k === 'xmlns') scope.set('', v);
        else if (k.startsWith('xmlns:')) scope.set(k.slice(6), v);
      }
      const resolve = (qname: string, isAttr: boolean): [string, string] => {
        const c = qname.indexOf(':');
        if (c < 0) return [isAttr ? '' : (scope.get('') ?? ''), qname];
        const uri = scope.get(qname.slice(0, c));
        if (uri === undefined) throw new XmlError(`prefix "${qname.slice(0, c)}" of <${qname}> is not declared`);
        return [uri, qname.slice(c + 1)];
      };
      const [ns, name] = resolve(tag.name, false);
      const attrs: Record<string, string> = {};
      for (const [k, v] of tag.attrs) if (k !== 'xmlns' && !k.startsWith('xmlns:')) attrs[resolve(k, true)[1]] = v;
      const el: XmlElement = { ns, name, attrs, children: [], text: '' };
      if (stack.length) stack.at(-1)!.el.children.push(el);
      else root = el;
      if (!tag.selfClosing) stack.push({ el, qname: tag.name, scope, text: [] });
      i = tag.end;
    }
  }
  if (stack.length) throw new XmlError(`<${stack.at(-1)!.qname}> is not closed`);
  if (!root) throw new XmlError('no root element');
  return root;
}

function readTag(doc: string, lt: number): { name: string; attrs: [string, string][]; selfClosing: boolean; end: number } {
  const re = /\s*([^\s=/>]+)\s*=\s*("[^"<]*"|'[^'<]*')|\s*(\/?>)/y;
  const nameMatch = /<([^\s/>]+)/y;
  nameMatch.lastIndex = lt;
  const n = nameMatch.exec(doc);
  if (!n || !NAME.test(n[1]!)) throw new XmlError(`bad element name at offset ${lt}`);
  const attrs: [string, string][] = [];
  re.lastIndex = nameMatch.lastIndex;
  for (;;) {
    const m = re.exec(doc);
    if (!m) throw new XmlError(`malformed tag <${n[1]}> at offset ${lt}`);
    if (m[3]) return { name: n[1]!, attrs, selfClosing: m[3] === '/>', end: re.lastIndex };
    const key = m[1]!;
    if (!NAME.test(key) && !/^xmlns(:[A-Za-z_][\w.-]*)?$/.test(key)) throw new XmlError(`bad attribute name "${key}" in <${n[1]}>`);
    if (attrs.some(([k]) => k === key)) throw new XmlError(`attribute "${key}" repeated in <${n[1]}>`);
    attrs.push([key, decodeText(m[2]!.slice(1, -1))]);
  }
}

/** The children of `el` named `name` in namespace `ns`. */
export function childrenOf(el: XmlElement | undefined, ns: string, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.ns === ns && c.name === name) : [];
}

/** The first child of `el` named `name` in namespace `ns`. */
export function childOf(el: XmlElement | undefined, ns: string, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.ns === ns && c.name === name);
}

/** Escapes text for an XML text node or a double-quoted attribute. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
