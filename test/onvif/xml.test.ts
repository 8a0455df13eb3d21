import { describe, expect, it } from 'vitest';
import { childOf, parseXml, XmlError } from '../../onvif/xml.js';

/** The strict XML reader every SOAP reply from a camera goes through. */
describe('parseXml', () => {
  it('resolves namespaces by URI, whatever prefix the sender chose, and decodes entities', () => {
    const root = parseXml('<?xml version="1.0"?><a:E xmlns:a="urn:x" xmlns="urn:d"><a:N k="1 &amp; 2">t &lt;&#x41;&#66;&gt;</a:N><M/></a:E>', 1000);
    expect(root).toMatchObject({ ns: 'urn:x', name: 'E' });
    expect(childOf(root, 'urn:x', 'N')).toMatchObject({ attrs: { k: '1 & 2' }, text: 't <AB>' });
    expect(childOf(root, 'urn:d', 'M')).toBeDefined();
  });

  it.each([
    ['a DOCTYPE (entity expansion)', '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'],
    ['an unknown entity', '<x>&a;</x>'],
    ['an undeclared prefix', '<p:x/>'],
    ['mismatched tags', '<x><y></x></y>'],
    ['an unclosed element', '<x><y/>'],
    ['two roots', '<x/><y/>'],
    ['a repeated attribute', '<x a="1" a="2"/>'],
    ['a processing instruction', '<x><?php echo 1 ?></x>'],
    ['a bare ampersand', '<x>a & b</x>'],
  ])('refuses %s', (_what, doc) => {
    expect(() => parseXml(doc, 1000)).toThrow(XmlError);
  });

  it('refuses a message over its cap and nesting past the depth limit', () => {
    expect(() => parseXml(`<x>${'a'.repeat(2000)}</x>`, 1000)).toThrow(/cap/);
    expect(() => parseXml('<x>'.repeat(100) + '</x>'.repeat(100), 10_000)).toThrow(/deeper/);
  });
});
