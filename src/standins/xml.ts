// Minimal XML for the AWS stand-ins: an escaping builder for answers and a small parser for request bodies.

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** A child of `el`: nested markup (from `el`), a text value, or nothing (skipped). */
export type XmlChild = Xml | string | number | boolean | undefined | null | XmlChild[];

/** Markup that is already escaped; only `el` makes one. */
export class Xml {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

/** Escapes text for element content (`&`, `<`, `>`; with `attribute`, quotes too). */
export function escapeXml(text: string, attribute = false): string {
  return text.replace(attribute ? /[&<>"']/g : /[&<>\r]/g, (c) => ESCAPES[c] ?? c);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/** Builds `<name attrs>children</name>`; text children are escaped, `undefined`/`null` children are skipped. */
export function el(name: string, ...children: XmlChild[]): Xml;
export function el(name: string, attrs: Record<string, string>, ...children: XmlChild[]): Xml;
export function el(name: string, ...rest: unknown[]): Xml {
  let attrs = '';
  if (isAttrs(rest[0])) {
    const given = rest.shift() as Record<string, string>;
    attrs = Object.entries(given)
      .map(([k, v]) => ` ${k}="${escapeXml(v, true)}"`)
      .join('');
  }
  const inner = renderChildren(rest as XmlChild[]);
  return new Xml(inner === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${inner}</${name}>`);
}

/** Prefixes the XML declaration to a root element. */
export function xmlDocument(root: Xml): string {
  return XML_DECLARATION + '\n' + root.markup;
}

function isAttrs(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !(v instanceof Xml) && !Array.isArray(v);
}

function renderChildren(children: XmlChild[]): string {
  let out = '';
  for (const c of children) {
    if (c === undefined || c === null) continue;
    if (c instanceof Xml) out += c.markup;
    else if (Array.isArray(c)) out += renderChildren(c);
    else out += escapeXml(String(c));
  }
  return out;
}

/** A parsed element: local name (namespace prefix dropped), attributes, child elements and text content. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Thrown by parseXml for a document that is not well-formed. */
export class XmlParseError extends Error {}

/** Parses a document into its root element; throws XmlParseError when it is not well-formed. */
export function parseXml(source: string): XmlElement {
  const p = new Parser(source);
  p.skipProlog();
  const root = p.element();
  p.skipMisc();
  if (!p.atEnd()) throw new XmlParseError('content after the root element');
  return root;
}

/** The first child named `name`, if any. */
export function child(node: XmlElement, name: string): XmlElement | undefined {
  return node.children.find((c) => c.name === name);
}

/** Markup for a parsed element (attributes dropped): what was sent, re-rendered for an answer. */
export function xmlOf(node: XmlElement): Xml {
  return node.children.length > 0 ? el(node.name, node.children.map(xmlOf)) : el(node.name, node.text);
}

/** Every child named `name`. */
export function children(node: XmlElement, name: string): XmlElement[] {
  return node.children.filter((c) => c.name === name);
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  skipProlog(): void {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    this.skipMisc();
  }

  skipMisc(): void {
    for (;;) {
      this.skipSpace();
      if (this.s.startsWith('<?', this.i)) this.skipPast('?>');
      else if (this.s.startsWith('<!--', this.i)) this.skipPast('-->');
      else if (this.s.startsWith('<!DOCTYPE', this.i)) throw new XmlParseError('DOCTYPE is not allowed');
      else return;
    }
  }

  element(): XmlElement {
    this.expect('<');
    const qname = this.name();
    const attrs: Record<string, string> = {};
    for (;;) {
      const hadSpace = this.skipSpace();
      if (this.s.startsWith('/>', this.i)) {
        this.i += 2;
        return { name: localName(qname), attrs, children: [], text: '' };
      }
      if (this.s[this.i] === '>') {
        this.i += 1;
        break;
      }
      if (!hadSpace) throw new XmlParseError(`bad attribute syntax at ${this.i}`);
      const attr = this.name();
      this.skipSpace();
      this.expect('=');
      this.skipSpace();
      const quote = this.s[this.i];
      if (quote !== '"' && quote !== "'") throw new XmlParseError('attribute value must be quoted');
      const end = this.s.indexOf(quote, this.i + 1);
      if (end < 0) throw new XmlParseError('unterminated attribute');
      attrs[attr] = decodeEntities(this.s.slice(this.i + 1, end));
      this.i = end + 1;
    }
    const node: XmlElement = { name: localName(qname), attrs, children: [], text: '' };
    for (;;) {
      if (this.atEnd()) throw new XmlParseError(`unclosed element <${qname}>`);
      if (this.s.startsWith('</', this.i)) {
        this.i += 2;
        const closing = this.name();
        if (closing !== qname) throw new XmlParseError(`mismatched </${closing}> for <${qname}>`);
        this.skipSpace();
        this.expect('>');
        return node;
      }
      if (this.s.startsWith('<!--', this.i)) this.skipPast('-->');
      else if (this.s.startsWith('<![CDATA[', this.i)) {
        const end = this.s.indexOf(']]>', this.i);
        if (end < 0) throw new XmlParseError('unterminated CDATA');
        node.text += this.s.slice(this.i + 9, end);
        this.i = end + 3;
      } else if (this.s.startsWith('<?', this.i)) this.skipPast('?>');
      else if (this.s[this.i] === '<') node.children.push(this.element());
      else {
        const next = this.s.indexOf('<', this.i);
        const end = next < 0 ? this.s.length : next;
        node.text += decodeEntities(this.s.slice(this.i, end));
        this.i = end;
      }
    }
  }

  private name(): string {
    const m = /^[A-Za-z_:][\w.:-]*/.exec(this.s.slice(this.i, this.i + 256));
    if (!m) throw new XmlParseError(`expected a name at ${this.i}`);
    this.i += m[0].length;
    return m[0];
  }

  private skipSpace(): boolean {
    const start = this.i;
    while (this.i < this.s.length && /\s/.test(this.s[this.i] ?? '')) this.i += 1;
    return this.i > start;
  }

  private skipPast(token: string): void {
    const end = this.s.indexOf(token, this.i);
    if (end < 0) throw new XmlParseError(`expected ${token}`);
    this.i = end + token.length;
  }

  private expect(c: string): void {
    if (this.s[this.i] !== c) throw new XmlParseError(`expected '${c}' at ${this.i}`);
    this.i += 1;
  }
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new XmlParseError('bare & in text');
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const named = NAMED[ref];
    if (named === undefined) throw new XmlParseError(`unknown entity ${whole}`);
    return named;
  });
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
