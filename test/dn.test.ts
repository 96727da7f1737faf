import 'reflect-metadata';
import { expect } from 'chai';
import fc from 'fast-check';
import { TrustPolicyError, VerificationFailedError } from '../src/errors.js';
import { DN_ERROR, goQuote, goQuoteDNList, isSubsetDN, matchTrustedIdentities, parseDistinguishedName } from '../src/x509/dn.js';
import { TRUST_POLICY_ERROR as TP, verifyX509TrustedIdentities } from '../src/trustpolicy/index.js';
import { makeSelfSigned } from './helpers/pki.js';

function dnError(dn: string): TrustPolicyError {
  try {
    parseDistinguishedName(dn);
  } catch (e) {
    expect(e).to.be.instanceOf(TrustPolicyError);
    return e as TrustPolicyError;
  }
  throw new Error(`expected ${JSON.stringify(dn)} to be rejected`);
}
const obj = (m: Map<string, string>) => Object.fromEntries(m);

describe('parseDistinguishedName (go-ldap v3.4.11 + notation rules)', () => {
  it('parses a DN into attributes', () => {
    expect(obj(parseDistinguishedName('C=US,ST=California,O=Notary Project'))).to.deep.equal({ C: 'US', ST: 'California', O: 'Notary Project' });
  });
  it('trims spaces around types and values, keeps inner spaces, accepts ; as separator', () => {
    expect(obj(parseDistinguishedName(' C = US ; ST=WA, O=  My.  Org  ,OU=x'))).to.deep.equal({ C: 'US', ST: 'WA', O: 'My.  Org', OU: 'x' });
  });
  it('unescapes special characters and hex pairs (as UTF-8 bytes)', () => {
    expect(parseDistinguishedName('C=US,ST=WA,O=My "special" Org \\, \\; \\\\ others').get('O')).to.equal('My "special" Org , ; \\ others');
    expect(parseDistinguishedName('C=US,ST=WA,O=caf\\c3\\a9').get('O')).to.equal('café');
    expect(parseDistinguishedName('C=US,ST=WA,O=a\\ ').get('O')).to.equal('a ');
    expect(parseDistinguishedName('C=US,ST=WA,O=x=y').get('O')).to.equal('x=y');
  });
  it('S is an alias of ST; types are case-sensitive', () => {
    expect(obj(parseDistinguishedName('C=US,S=WA,O=x'))).to.deep.equal({ C: 'US', ST: 'WA', O: 'x' });
    expect(dnError('c=US,ST=WA,O=x').code).to.equal(DN_ERROR.MISSING_MANDATORY);
  });
  it('reports REF messages for syntax errors', () => {
    const cases: [string, string][] = [
      [',,,', 'incomplete type, value pair'],
      ['invalid', 'DN ended with incomplete type, value pair'],
      ['C=US,', 'DN ended with incomplete type, value pair'],
      ['C=US,ST=WA,O=a\\zz', "failed to decode escaped character: encoding/hex: invalid byte: U+007A 'z'"],
      ['C=US,ST=WA,O=a\\4', 'failed to decode escaped character: encoding/hex: invalid byte: 4'],
      ['C=US,ST=WA,O=a\\', "got corrupted escaped character: 'a\\'"],
      ['C=US,ST=WA,O=a\\é1', 'failed to decode escaped character: invalid byte: é1'],
    ];
    for (const [dn, err] of cases) {
      const e = dnError(dn);
      expect(e.code, dn).to.equal(DN_ERROR.PARSE);
      expect(e.message).to.equal(
        `parsing distinguished name (DN) ${goQuote(dn)} failed with err: ${err}. A valid DN must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum, and follow RFC 4514 standard`,
      );
    }
  });
  it('rejects =#, multi-valued RDNs, duplicates and missing mandatory attributes', () => {
    expect(dnError('C=US,ST=WA,O=#04024869').message).to.equal(
      'unsupported distinguished name (DN) "C=US,ST=WA,O=#04024869": notation does not support x509.subject identities containing "=#"',
    );
    expect(dnError('CN=bad=#CN,C=US,ST=WA,O=x').code).to.equal(DN_ERROR.HEX_VALUE);
    expect(dnError('OU=Sales+CN=J.  Smith,DC=example,DC=net').code).to.equal(DN_ERROR.MULTI_VALUED_RDN);
    expect(dnError('C=US,C=IN').message).to.equal('distinguished name (DN) "C=US,C=IN" has duplicate RDN attribute for "C", DN can only have unique RDN attributes');
    expect(dnError('C=US,ST=WA,S=OR,O=x').code).to.equal(DN_ERROR.DUPLICATE_ATTRIBUTE);
    expect(dnError('C=US,O=Notary Project').message).to.equal(
      `distinguished name (DN) "C=US,O=Notary Project" has no mandatory RDN attribute for "ST", it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum`,
    );
    expect(dnError('').code).to.equal(DN_ERROR.MISSING_MANDATORY);
    expect(dnError('C=,ST=WA,O=x').code).to.equal(DN_ERROR.MISSING_MANDATORY);
  });
  it('keeps REF quirks: an empty earlier value is no duplicate', () => {
    expect(parseDistinguishedName('C=,C=US,ST=WA,O=x').get('C')).to.equal('US');
  });
  it('isSubsetDN treats an absent attribute as ""', () => {
    const m = (o: Record<string, string>) => new Map(Object.entries(o));
    expect(isSubsetDN(m({ C: 'US', O: 'x' }), m({ C: 'US', O: 'x', L: 'y' }))).to.equal(true);
    expect(isSubsetDN(m({ C: 'US', O: 'x', CN: 'n' }), m({ C: 'US', O: 'x' }))).to.equal(false);
    expect(isSubsetDN(m({ OU: '' }), m({}))).to.equal(true);
  });
});

describe('Go formatting helpers', () => {
  it('goQuote matches strconv.Quote', () => {
    expect(goQuote('a"b\\c\n\x01é\u00a0\u{1F600}\u200b')).to.equal('"a\\"b\\\\c\\n\\x01é\\u00a0\u{1F600}\\u200b"');
  });
  it('goQuoteDNList matches %q of []map[string]string', () => {
    const m = new Map([['ST', 'TG'], ['C', 'IN'], ['O', 'DummyOrg'], ['L', 'Hyderabad'], ['CN', 'LOL']]);
    expect(goQuoteDNList([m])).to.equal('[map["C":"IN" "CN":"LOL" "L":"Hyderabad" "O":"DummyOrg" "ST":"TG"]]');
  });
});

describe('trusted identity matching against leaf certificates', () => {
  it('matches on a subset of the leaf subject; * matches all', async () => {
    const leaf = (await makeSelfSigned('EC-256', { subject: 'CN=leaf,OU=Eng,O=Org,L=Seattle,ST=WA,C=US' })).cert;
    expect(matchTrustedIdentities(['*'], leaf)).to.equal(true);
    expect(matchTrustedIdentities(['x509.subject:C=US,ST=WA,O=Org'], leaf)).to.equal(true);
    expect(matchTrustedIdentities(['x509.subject:C=US,ST=WA,O=Org,CN=leaf,OU=Eng,L=Seattle'], leaf)).to.equal(true);
    expect(matchTrustedIdentities(['x509.subject:C=US,ST=WA,O=Other', 'x509.subject:C=US,S=WA,O=Org'], leaf)).to.equal(true);
    expect(matchTrustedIdentities(['x509.subject:C=US,ST=WA,O=Other'], leaf)).to.equal(false);
    expect(matchTrustedIdentities(['x509.subject:C=US,ST=WA,O=Org,CN=other'], leaf)).to.equal(false);
    expect(matchTrustedIdentities(['plugin:anything'], leaf)).to.equal(false);
    expect(matchTrustedIdentities(['x509.subject'], leaf)).to.equal(false);
    verifyX509TrustedIdentities('p', ['x509.subject:C=US,ST=WA,O=Org', 'plugin:x'], leaf);
  });
  it('a leaf with emailAddress or two OUs never matches x509.subject (only *)', async () => {
    const email = (await makeSelfSigned('EC-256', { subject: 'CN=leaf,E=a@b.example,O=Org,ST=WA,C=US' })).cert;
    expect(email.subject).to.contain('1.2.840.113549.1.9.1=#');
    expect(matchTrustedIdentities(['*'], email)).to.equal(true);
    expect(matchTrustedIdentities(['x509.subject:C=US,ST=WA,O=Org'], email)).to.equal(false);
    let err: Error | undefined;
    try {
      verifyX509TrustedIdentities('p', ['x509.subject:C=US,ST=WA,O=Org'], email);
    } catch (e) {
      err = e as Error;
    }
    expect((err as VerificationFailedError).code).to.equal(TP.LEAF_SUBJECT_UNPARSABLE);
    expect(err!.message).to.match(/^error while parsing the certificate subject from the digital signature\. error : "unsupported distinguished name/);
    const twoOU = (await makeSelfSigned('EC-256', { subject: 'CN=leaf,OU=a,OU=b,O=Org,ST=WA,C=US' })).cert;
    expect(matchTrustedIdentities(['x509.subject:C=US,ST=WA,O=Org'], twoOU)).to.equal(false);
  });
  it('verifyX509TrustedIdentities reports notation messages and codes', async () => {
    const leaf = (await makeSelfSigned('EC-256', { subject: 'CN=leaf,O=Org,ST=WA,C=US' })).cert;
    const codeOf = (ids: string[]) => {
      try {
        verifyX509TrustedIdentities('test-statement-name', ids, leaf);
        return undefined;
      } catch (e) {
        return e as TrustPolicyError;
      }
    };
    const mismatch = codeOf(['x509.subject:C=IN,ST=TG,O=DummyOrg']);
    expect(mismatch?.code).to.equal(TP.IDENTITY_MISMATCH);
    expect(mismatch?.message).to.equal(
      'signing certificate from the digital signature does not match the X.509 trusted identities [map["C":"IN" "O":"DummyOrg" "ST":"TG"]] defined in the trust policy "test-statement-name"',
    );
    expect(codeOf(['nonX509Prefix:my-custom-identity'])?.message).to.equal('no x509 trusted identities are configured in the trust policy "test-statement-name"');
    expect(codeOf(['x509.subject'])?.code).to.equal(TP.IDENTITY_MISSING_SEPARATOR);
    expect(codeOf(['x509.subject:'])?.code).to.equal(TP.IDENTITY_WITHOUT_VALUE);
    expect(codeOf(['x509.subject:C=bad=#identity,O=LOL,ST=LOL'])?.code).to.equal(TP.IDENTITY_DN_INVALID_AT_VERIFY);
    expect(codeOf(['*'])).to.equal(undefined);
  });
});

describe('property: DN parsing', () => {
  it('never fails with anything but TrustPolicyError', () => {
    const piece = fc.constantFrom('C', 'ST', 'S', 'O', '=', ',', ';', '+', '\\', '#', ' ', '"', 'a', 'é', '\\2c', '\\zz', '=#');
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.array(piece, { maxLength: 30 }).map((a) => a.join(''))), (s) => {
        try {
          const m = parseDistinguishedName(s);
          for (const k of ['C', 'ST', 'O']) expect(m.get(k)).to.be.a('string').and.not.equal('');
        } catch (e) {
          if (!(e instanceof TrustPolicyError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
  it('round-trips hex-escaped values', () => {
    const esc = (v: string) =>
      Array.from(v)
        .map((ch) => (/[A-Za-z0-9.]/.test(ch) ? ch : [...Buffer.from(ch, 'utf8')].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('')))
        .join('');
    const value = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(value, value, value, (c, st, o) => {
        const m = parseDistinguishedName(`C=${esc(c)}, ST=${esc(st)} ;O=${esc(o)}`);
        expect(obj(m)).to.deep.equal({ C: c, ST: st, O: o });
      }),
      { numRuns: 500 },
    );
  });
});
