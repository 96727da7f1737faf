/** `--expiry` parsing: Go's time.ParseDuration (table cases from Go's own tests, and properties). */
import { expect } from 'chai';
import fc from 'fast-check';
import { parseGoDuration, goTimeQuote, expiryFromFlags, checkFlagGroups } from '../src/cli/signing.js';
import { NotationError } from '../src/errors.js';

const S = 1_000_000_000n;
const MS = 1_000_000n;
const US = 1000n;

describe('parseGoDuration (time.ParseDuration)', () => {
  const ok: [string, bigint][] = [
    ['0', 0n],
    ['5s', 5n * S],
    ['30s', 30n * S],
    ['1478s', 1478n * S],
    ['-5s', -5n * S],
    ['+5s', 5n * S],
    ['-0', 0n],
    ['+0', 0n],
    ['5.0s', 5n * S],
    ['5.6s', 5n * S + 600n * MS],
    ['5.s', 5n * S],
    ['.5s', 500n * MS],
    ['1.004s', S + 4n * MS],
    ['100.00100s', 100n * S + MS],
    ['10ns', 10n],
    ['11us', 11n * US],
    ['12µs', 12n * US],
    ['12μs', 12n * US],
    ['13ms', 13n * MS],
    ['15m', 15n * 60n * S],
    ['16h', 16n * 3600n * S],
    ['3h30m', (3n * 3600n + 30n * 60n) * S],
    ['10.5s4m', 4n * 60n * S + 10n * S + 500n * MS],
    ['-2m3.4s', -(2n * 60n * S + 3n * S + 400n * MS)],
    ['1h2m3s4ms5us6ns', 3600n * S + 2n * 60n * S + 3n * S + 4n * MS + 5n * US + 6n],
    ['39h9m14.425s', 39n * 3600n * S + 9n * 60n * S + 14n * S + 425n * MS],
    ['52763797000ns', 52763797000n],
    ['0.3333333333333333333h', 20n * 60n * S],
    ['9007199254740993ns', 9007199254740993n],
    ['9223372036854775807ns', 9223372036854775807n],
    ['9223372036854775.807us', 9223372036854775807n],
    ['9223372036.854775807s', 9223372036854775807n],
    ['-9223372036854775808ns', -9223372036854775808n],
    ['0.100000000000000000000h', 6n * 60n * S],
    ['0.830103483285477580700h', 49n * 60n * S + 48n * S + 372539827n],
  ];
  for (const [s, want] of ok) it(`${JSON.stringify(s)} = ${want}ns`, () => expect(parseGoDuration(s)).to.equal(want));

  const bad: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['3', 'time: missing unit in duration "3"'],
    ['-', 'time: invalid duration "-"'],
    ['s', 'time: invalid duration "s"'],
    ['.', 'time: invalid duration "."'],
    ['-.', 'time: invalid duration "-."'],
    ['.s', 'time: invalid duration ".s"'],
    ['+.s', 'time: invalid duration "+.s"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['1.0.0s', 'time: missing unit in duration "1.0.0s"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['9223372036854775.808us', 'time: invalid duration "9223372036854775.808us"'],
    ['9223372036.854775808s', 'time: invalid duration "9223372036.854775808s"'], ['9223372036854.775807s', 'time: invalid duration "9223372036854.775807s"'],
    ['-9223372036854775809ns', 'time: invalid duration "-9223372036854775809ns"'],
    ['1é', 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'],
    ['3"h', 'time: unknown unit "\\"h" in duration "3\\"h"'],
  ];
  for (const [s, msg] of bad) {
    it(`${JSON.stringify(s)} -> ${msg}`, () => {
      expect(() => parseGoDuration(s)).to.throw(NotationError, msg);
      try {
        parseGoDuration(s);
      } catch (e) {
        expect((e as Error).message).to.equal(msg);
      }
    });
  }

  const UNIT_NS: Record<string, bigint> = { ns: 1n, us: US, 'µs': US, ms: MS, s: S, m: 60n * S, h: 3600n * S };

  it('property: a sequence of integer segments parses to their sum', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(...Object.keys(UNIT_NS))), { minLength: 1, maxLength: 6 }), fc.boolean(), (segs, neg) => {
        const text = (neg ? '-' : '') + segs.map(([n, u]) => `${n}${u}`).join('');
        const sum = segs.reduce((acc, [n, u]) => acc + BigInt(n) * UNIT_NS[u], 0n);
        // Go durations are int64 nanoseconds: a larger total is an invalid duration.
        if (sum > (neg ? 2n ** 63n : 2n ** 63n - 1n)) expect(() => parseGoDuration(text)).to.throw(/^time: invalid duration/);
        else expect(parseGoDuration(text)).to.equal(neg ? -sum : sum);
      }),
    );
  });

  it('property: any string either parses or throws a typed "time: ..." error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[-+]?[0-9.]{0,6}(ns|us|ms|s|m|h|µs|x)?([0-9.]{0,4}(s|m|h))?$/)), (s) => {
        try {
          const d = parseGoDuration(s);
          expect(typeof d).to.equal('bigint');
        } catch (e) {
          expect(e).to.be.instanceOf(NotationError);
          expect((e as Error).message).to.match(/^time: (invalid duration|missing unit in duration|unknown unit .* in duration) "/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('goTimeQuote escapes quotes, backslashes and non-ASCII bytes as Go does', () => {
    expect(goTimeQuote('a"b\\c')).to.equal('"a\\"b\\\\c"');
    expect(goTimeQuote('µ\n')).to.equal('"\\xc2\\xb5\\x0a"');
  });
});

describe('expiryFromFlags', () => {
  const f = (expiry?: string) => ({ flags: { expiry } });
  it('maps to milliseconds; 0 and absent mean no expiry', () => {
    expect(expiryFromFlags(f('1h'))).to.equal(3_600_000);
    expect(expiryFromFlags(f('90s'))).to.equal(90_000);
    expect(expiryFromFlags(f('0'))).to.equal(undefined);
    expect(expiryFromFlags(f(undefined))).to.equal(undefined);
  });
  it('applies notation-go checks after parsing', () => {
    expect(() => expiryFromFlags(f('1s1ms'))).to.throw('expiry duration supports minimum granularity of seconds');
    expect(() => expiryFromFlags(f('-1s'))).to.throw('expiry duration cannot be a negative value');
    expect(() => expiryFromFlags(f('1y'))).to.throw('invalid argument "1y" for "-e, --expiry" flag: time: unknown unit "y" in duration "1y"');
  });
});

describe('checkFlagGroups (cobra)', () => {
  const groups = { together: [['timestamp-url', 'timestamp-root-cert'], ['id', 'plugin']], exclusive: [['key', 'plugin'], ['key', 'id']] };
  const check = (...set: string[]) => () => checkFlagGroups({ changed: new Set(set) }, groups);
  it('checks required-together groups in sorted order before exclusive ones', () => {
    expect(check('id', 'timestamp-url')).to.throw('if any flags in the group [id plugin] are set they must all be set; missing [plugin]');
    expect(check('key', 'id', 'plugin')).to.throw('if any flags in the group [key id] are set none of the others can be; [id key] were all set');
    expect(check('key', 'plugin', 'id', 'timestamp-root-cert')).to.throw('[timestamp-url timestamp-root-cert] are set they must all be set; missing [timestamp-url]');
    expect(check('key')).to.not.throw();
    expect(check('id', 'plugin', 'timestamp-url', 'timestamp-root-cert')).to.not.throw();
  });
});
