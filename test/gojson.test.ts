/** Go encoding/json output, which our manifests, config files and plugin requests must match byte for byte. */
import { expect } from 'chai';
import fc from 'fast-check';
import { goMarshal, goString, sortedMap } from '../src/util/gojson.js';

describe('Go JSON encoding', () => {
  it('escapes as Go does', () => {
    expect(goString('<a&b>')).to.equal('"\\u003ca\\u0026b\\u003e"');
    // Go 1.22+ (notation's toolchain): \b and \f short.
    expect(goString('\b\f\u0001\n\t')).to.equal('"\\b\\f\\u0001\\n\\t"');
    expect(goString('\u2028\u2029')).to.equal('"\\u2028\\u2029"');
    expect(goString('x\ud800y')).to.equal('"x\ufffdy"');
    expect(goString('😀')).to.equal('"😀"');
  });
  it('keeps struct order, sorts maps by UTF-8 bytes, omits undefined, encodes bytes and times', () => {
    const v = { z: 1, a: new Map([['b', 1], ['a', 2], ['\uffff', 3], ['😀', 4]]), skip: undefined, bytes: new Uint8Array([1, 2, 3]), t: new Date('2026-01-02T03:04:05.120Z') };
    expect(goMarshal(v)).to.equal('{"z":1,"a":{"a":2,"b":1,"\uffff":3,"😀":4},"bytes":"AQID","t":"2026-01-02T03:04:05.12Z"}');
    expect(Object.keys(sortedMap({ b: 1, a: 2, __proto__x: 3 }))).to.deep.equal(['__proto__x', 'a', 'b']);
  });
  it('indents like json.MarshalIndent', () => {
    expect(goMarshal({ a: [1, {}], b: [] }, '  ')).to.equal('{\n  "a": [\n    1,\n    {}\n  ],\n  "b": []\n}');
  });
  it('agrees with JSON.parse on what it wrote (property)', () => {
    const canon = (s: string) => JSON.stringify(JSON.parse(s));
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canon(goMarshal(v))).to.equal(canon(JSON.stringify(v)));
      }),
    );
  });
});
