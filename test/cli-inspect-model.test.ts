/**
 * The inspect model (src/cli/inspect.ts): Go time layouts and zones, fmt's %v of
 * attribute values, the payload descriptor decoder (with fast-check properties),
 * tree rendering, and envelopes with extended attributes and JWS time offsets.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { sign as cryptoSign } from 'node:crypto';
import {
  blobInspectJson,
  blobInspectTree,
  descriptorFromPayload,
  formatAnsic,
  formatRfc3339Nano,
  goFormatFloat,
  goSprint,
  goTime,
  inspectEnvelope,
  InspectTreeWriter,
  localOffsetFromEnv,
  renderTree,
  TreeNode,
} from '../src/cli/inspect.js';
import { parseEnvelope, signEnvelope, MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, PAYLOAD_CONTENT_TYPE } from '../src/envelope/index.js';
import { EnvelopeError } from '../src/errors.js';
import type { Signer } from '../src/signer/types.js';
import { makeSelfSigned, type PkiCert } from './helpers/pki.js';

const PAYLOAD_ERROR = 'failed to unmarshall the payload content to Payload';
const payload = (v: unknown, contentType = PAYLOAD_CONTENT_TYPE) => ({ contentType, content: Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)) });

describe('inspect model: Go time formatting', () => {
  it('writes RFC3339Nano with trimmed fractions and the location offset', () => {
    expect(formatRfc3339Nano(goTime(new Date('2025-01-21T09:17:46Z')))).to.equal('2025-01-21T09:17:46Z');
    expect(formatRfc3339Nano(goTime(new Date('2025-01-21T09:17:46.140Z')))).to.equal('2025-01-21T09:17:46.14Z');
    expect(formatRfc3339Nano({ seconds: 0, nanos: 5, offsetMinutes: 0 })).to.equal('1970-01-01T00:00:00.000000005Z');
    expect(formatRfc3339Nano(goTime(new Date('2025-01-07T08:42:43Z'), 330))).to.equal('2025-01-07T14:12:43+05:30');
    expect(formatRfc3339Nano(goTime(new Date('2025-01-07T08:42:43Z'), -300))).to.equal('2025-01-07T03:42:43-05:00');
  });

  it('writes ANSIC with a space-padded day, in the location\'s wall clock', () => {
    expect(formatAnsic(goTime(new Date('2025-01-01T08:04:39Z')))).to.equal('Wed Jan  1 08:04:39 2025');
    expect(formatAnsic(goTime(new Date('2035-11-19T20:42:31Z')))).to.equal('Mon Nov 19 20:42:31 2035');
    expect(formatAnsic(goTime(new Date('2024-12-31T23:30:00Z'), 60))).to.equal('Wed Jan  1 00:30:00 2025');
  });

  it('RFC3339Nano names the same instant for any offset (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 - 86_400_000 }), fc.integer({ min: -14 * 60, max: 14 * 60 }), (ms, off) => {
        const s = formatRfc3339Nano(goTime(new Date(ms), off));
        expect(Date.parse(s)).to.equal(ms);
        expect(s).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?(Z|[+-]\d{2}:\d{2})$/);
      }),
    );
  });

  it('takes time.Local from TZ as the Go runtime does', () => {
    const summer = new Date('2025-07-01T12:00:00Z');
    const winter = new Date('2025-01-01T12:00:00Z');
    expect(localOffsetFromEnv({ TZ: '' })(summer)).to.equal(0);
    expect(localOffsetFromEnv({ TZ: 'UTC' })(summer)).to.equal(0);
    expect(localOffsetFromEnv({ TZ: 'No/Such_Zone' })(summer)).to.equal(0);
    expect(localOffsetFromEnv({ TZ: 'Asia/Kolkata' })(summer)).to.equal(330);
    expect(localOffsetFromEnv({ TZ: ':America/New_York' })(summer)).to.equal(-240);
    expect(localOffsetFromEnv({ TZ: 'America/New_York' })(winter)).to.equal(-300);
    expect(localOffsetFromEnv({})(summer)).to.equal(-summer.getTimezoneOffset());
  });
});

describe('inspect model: fmt.Sprint of attribute values', () => {
  it('formats float64 as %v does', () => {
    const table: [number, string][] = [
      [0, '0'], [1, '1'], [1.5, '1.5'], [123456, '123456'], [1e6, '1e+06'], [1234567, '1.234567e+06'],
      [0.0001, '0.0001'], [0.00001, '1e-05'], [-2.5e-7, '-2.5e-07'], [1e21, '1e+21'], [1e100, '1e+100'], [-42, '-42'],
    ];
    for (const [v, s] of table) expect(goFormatFloat(v), String(v)).to.equal(s);
  });

  it('float formatting round-trips (property)', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
      expect(Number(goFormatFloat(v).replace(/e([+-])0*(\d)/, 'e$1$2'))).to.equal(Object.is(v, -0) ? -0 : v);
    }));
  });

  it('formats JSON and CBOR values as fmt.Sprint does', () => {
    expect(goSprint('x', true)).to.equal('x');
    expect(goSprint(true, true)).to.equal('true');
    expect(goSprint(null, true)).to.equal('<nil>');
    expect(goSprint(2000000, true)).to.equal('2e+06');
    expect(goSprint(2000000, false)).to.equal('2000000');
    expect(goSprint(12345678901234567890n, false)).to.equal('12345678901234567890');
    expect(goSprint(['a', 1, [true]], true)).to.equal('[a 1 [true]]');
    expect(goSprint({ b: 1, a: 'x' }, true)).to.equal('map[a:x b:1]');
    expect(goSprint(new Map<unknown, unknown>([[10, 'x'], [2, 'y']]), false)).to.equal('map[2:y 10:x]');
    expect(goSprint(new Uint8Array([1, 2, 255]), false)).to.equal('[1 2 255]');
  });
});

describe('inspect model: payload descriptor', () => {
  it('decodes the targetArtifact as Go does: nil vs empty annotations, case-insensitive keys, unknown keys ignored', () => {
    expect(descriptorFromPayload(payload({ targetArtifact: { mediaType: 'm', digest: 'sha256:a', size: 3 } }))).to.deep.equal({ mediaType: 'm', digest: 'sha256:a', size: 3 });
    expect(descriptorFromPayload(payload({ targetArtifact: { mediaType: 'm', digest: 'd', size: 1, annotations: {} } })).annotations).to.deep.equal({});
    expect(descriptorFromPayload(payload({ TargetArtifact: { MEDIATYPE: 'm', Digest: 'd', SIZE: 7, other: [1] }, extra: 1 }))).to.deep.equal({ mediaType: 'm', digest: 'd', size: 7 });
    expect(descriptorFromPayload(payload({ targetArtifact: { mediaType: null, size: null } }))).to.deep.equal({ mediaType: '', digest: '', size: 0 });
    expect(descriptorFromPayload(payload('null'))).to.deep.equal({ mediaType: '', digest: '', size: 0 });
    // []byte is base64 in and out: the output is Go's canonical encoding.
    expect(descriptorFromPayload(payload({ targetArtifact: { data: 'e30=' } })).data).to.equal('e30=');
    expect(descriptorFromPayload(payload({ targetArtifact: { platform: { architecture: 'amd64', OS: 'linux', 'os.features': ['a'] } } })).platform).to.deep.equal({ architecture: 'amd64', os: 'linux', 'os.features': ['a'] });
  });

  it('refuses what Go refuses, with notation\'s messages', () => {
    expect(() => descriptorFromPayload(payload({}, 'application/json'))).to.throw(EnvelopeError, 'payload content type "application/json" not supported');
    for (const bad of ['{', '[]', '"x"', '{"targetArtifact":[]}', '{"targetArtifact":{"size":1.5}}', '{"targetArtifact":{"size":"1"}}', '{"targetArtifact":{"annotations":{"a":1}}}', '{"targetArtifact":{"data":"!!"}}', '{"targetArtifact":{"urls":"u"}}']) {
      expect(() => descriptorFromPayload(payload(bad)), bad).to.throw(EnvelopeError, PAYLOAD_ERROR);
    }
  });

  it('returns a descriptor or the payload error for any input, never anything else (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ targetArtifact: v }))), (text) => {
        try {
          const d = descriptorFromPayload(payload(text));
          expect(typeof d.mediaType).to.equal('string');
          expect(Number.isSafeInteger(d.size)).to.equal(true);
        } catch (e) {
          expect(e).to.be.instanceOf(EnvelopeError);
          expect((e as Error).message).to.equal(PAYLOAD_ERROR);
        }
      }),
    );
  });

  it('reads back every descriptor notation writes (property)', () => {
    const desc = fc.record(
      {
        mediaType: fc.string(),
        digest: fc.string(),
        size: fc.maxSafeNat(),
        annotations: fc.dictionary(fc.string(), fc.string()),
        artifactType: fc.string({ minLength: 1 }),
        urls: fc.array(fc.string()),
      },
      { requiredKeys: ['mediaType', 'digest', 'size'] },
    );
    fc.assert(
      fc.property(desc, (d) => {
        expect(descriptorFromPayload(payload({ targetArtifact: d }))).to.deep.equal(d);
      }),
    );
  });
});

describe('inspect model: tree rendering', () => {
  it('renders nested nodes with notation\'s markers', () => {
    const root = new TreeNode('root');
    const a = root.add('a');
    a.addPair('k', 'v');
    a.add('b').add('c');
    root.add('z');
    expect(renderTree(root)).to.equal('root\n├── a\n│   ├── k: v\n│   └── b\n│       └── c\n└── z\n');
  });

  it('streams signatures under the reference and ends the tree on flush', () => {
    let out = '';
    const w = new InspectTreeWriter('ref@sha256:1', (s) => (out += s));
    w.flush();
    expect(out).to.equal('ref@sha256:1 has no associated signature\n');
  });
});

describe('inspect model: envelopes', function () {
  this.timeout(60_000);
  let cert: PkiCert;
  before(async () => {
    cert = await makeSelfSigned('EC-256', { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') });
  });

  const signer = (): Signer => ({
    keySpec: () => 'EC-256',
    sign: async (data) => ({ signature: new Uint8Array(cryptoSign('sha256', data, { key: cert.key, dsaEncoding: 'ieee-p1363' })), certificateChain: [cert.cert] }),
  });
  const content = Buffer.from(JSON.stringify({ targetArtifact: { mediaType: 'application/octet-stream', digest: 'sha256:ab', size: 2, annotations: { z: '1', a: '2' } } }));

  for (const mediaType of [MEDIA_TYPE_JWS, MEDIA_TYPE_COSE]) {
    it(`shows extended signed attributes and the signingAuthority scheme (${mediaType})`, async () => {
      const bytes = await signEnvelope(
        mediaType,
        {
          payload: { contentType: PAYLOAD_CONTENT_TYPE, content },
          signingScheme: 'notary.x509.signingAuthority',
          signingTime: new Date('2025-03-04T05:06:07Z'),
          expiry: new Date('2030-03-04T05:06:07Z'),
          extendedSignedAttributes: [{ key: 'io.example.count', critical: false, value: 1000000 }],
        },
        signer(),
      );
      const s = inspectEnvelope(parseEnvelope(mediaType, bytes), { localOffset: () => 0 });
      const doc = JSON.parse(blobInspectJson(s));
      expect(Object.keys(doc.signedAttributes)).to.deep.equal(['contentType', 'expiry', 'io.example.count', 'signingScheme', 'signingTime']);
      // JWS values are JSON numbers (float64 in Go), COSE keeps the integer.
      expect(doc.signedAttributes['io.example.count']).to.equal(mediaType === MEDIA_TYPE_JWS ? '1e+06' : '1000000');
      expect(doc.signedAttributes.signingTime).to.equal('2025-03-04T05:06:07Z');
      expect(doc.signedAttributes.signingScheme).to.equal('notary.x509.signingAuthority');
      expect(doc.userDefinedAttributes).to.deep.equal({ a: '2', z: '1' });
      expect(Object.keys(doc.userDefinedAttributes)).to.deep.equal(['a', 'z']);
      expect(doc.unsignedAttributes).to.deep.equal({});
      expect(doc.signedArtifact).to.deep.equal({ mediaType: 'application/octet-stream', digest: 'sha256:ab', size: 2 });
      const tree = blobInspectTree('x.sig', s);
      expect(tree).to.contain(`│   ├── signing time: Tue Mar  4 05:06:07 2025\n│   ├── expiry: Mon Mar  4 05:06:07 2030\n│   └── io.example.count: ${mediaType === MEDIA_TYPE_JWS ? '1e+06' : '1000000'}\n`);
      expect(tree).to.contain('├── user defined attributes\n│   ├── a: 2\n│   └── z: 1\n├── unsigned attributes\n├── certificates\n');
    });
  }

  it('keeps the offset a JWS time was written with', async () => {
    const bytes = await signEnvelope(MEDIA_TYPE_JWS, { payload: { contentType: PAYLOAD_CONTENT_TYPE, content }, signingScheme: 'notary.x509', signingTime: new Date('2025-03-04T05:06:07Z') }, signer());
    // Rewrite the protected header with a +02:00 time; inspect does not verify the signature.
    const env = JSON.parse(Buffer.from(bytes).toString());
    const header = JSON.parse(Buffer.from(env.protected, 'base64url').toString());
    header['io.cncf.notary.signingTime'] = '2025-03-04T07:06:07.25+02:00';
    env.protected = Buffer.from(JSON.stringify(header)).toString('base64url');
    const s = inspectEnvelope(parseEnvelope(MEDIA_TYPE_JWS, Buffer.from(JSON.stringify(env))), { localOffset: () => -600 });
    expect(JSON.parse(blobInspectJson(s)).signedAttributes.signingTime).to.equal('2025-03-04T07:06:07.25+02:00');
    expect(blobInspectTree('x', s)).to.contain('signing time: Tue Mar  4 07:06:07 2025\n');
  });

  it('refuses a payload of another content type as notation does', async () => {
    const bytes = await signEnvelope(MEDIA_TYPE_COSE, { payload: { contentType: 'application/json', content }, signingScheme: 'notary.x509', signingTime: new Date('2025-03-04T05:06:07Z') }, signer());
    expect(() => inspectEnvelope(parseEnvelope(MEDIA_TYPE_COSE, bytes))).to.throw(EnvelopeError, 'payload content type "application/json" not supported');
  });
});
