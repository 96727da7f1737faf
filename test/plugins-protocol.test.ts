/**
 * Plugin contract: JSON decoding/validation, error JSON, SemVer, archives, and the
 * verification-plugin response rules (with an in-memory plugin).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { NotationError, PluginError, VerificationInconclusiveError } from '../src/errors.js';
import {
  ArchiveError,
  COMMANDS,
  PluginProtocolError,
  buildVerifySignatureRequest,
  checkVerificationPluginRequirements,
  comparePluginVersion,
  marshalPluginError,
  marshalRequest,
  parsePluginError,
  parseRequest,
  parseResponse,
  readTar,
  readTarGz,
  readZip,
  runVerificationPlugin,
  type Command,
} from '../src/plugins/index.js';
import { HEADER, type EnvelopeContent } from '../src/envelope/types.js';
import { makePki } from './helpers/pki.js';
import { mockPluginLocator } from './helpers/plugins/mock.js';

const TI = 'SIGNATURE_VERIFIER.TRUSTED_IDENTITY';
const RC = 'SIGNATURE_VERIFIER.REVOCATION_CHECK';

describe('plugin protocol JSON', () => {
  it('decodes keys case-insensitively and ignores unknown keys, as Go does', () => {
    const r = parseRequest('describe-key', '{"ContractVersion":"1.0","KEYID":"k","extra":1}');
    expect(r).to.include({ contractVersion: '1.0', keyId: 'k' });
  });

  it('requires padded standard base64 for byte fields', () => {
    const ok = parseRequest('generate-signature', '{"contractVersion":"1.0","keyId":"k","keySpec":"EC-256","hashAlgorithm":"SHA-256","payload":"em9w"}');
    expect(Buffer.from(ok.payload!).toString()).to.equal('zop');
    for (const bad of ['em9', 'em9w_', 'em-w', 'e===']) {
      expect(() => parseRequest('generate-signature', `{"contractVersion":"1.0","keyId":"k","keySpec":"EC-256","hashAlgorithm":"SHA-256","payload":"${bad}"}`))
        .to.throw(PluginProtocolError, 'Input is not a valid JSON');
    }
  });

  it('treats a type mismatch as invalid JSON and null as the zero value', () => {
    expect(() => parseRequest('describe-key', '{"contractVersion":1,"keyId":"k"}')).to.throw('Input is not a valid JSON');
    expect(() => parseRequest('describe-key', 'null')).to.throw('contractVersion cannot be empty');
    expect(parseRequest('get-plugin-metadata', 'null')).to.deep.equal({});
  });

  it('marshals the error JSON byte-exactly, escaping like Go', () => {
    expect(marshalPluginError('ERROR', 'a<b>&c\u2028', { z: '1', a: '2' })).to.equal(
      '{"errorCode":"ERROR","errorMessage":"a\\u003cb\\u003e\\u0026c\\u2028","errorMetadata":{"a":"2","z":"1"}}',
    );
  });

  it('parses stderr error JSON into a typed error carrying the plugin code', () => {
    const e = parsePluginError('{"errorCode":"ACCESS_DENIED","errorMessage":"no","errorMetadata":{"k":"v"}}')!;
    expect(e).to.be.instanceOf(PluginError);
    expect(e.code).to.equal('PLUGIN_ACCESS_DENIED');
    expect(e.pluginErrorCode).to.equal('ACCESS_DENIED');
    expect(e.errorMetadata).to.deep.equal({ k: 'v' });
    expect(parsePluginError('{}')).to.equal(undefined);
    expect(parsePluginError('oops')).to.equal(undefined);
  });

  it('rejects a response whose fields have the wrong types', () => {
    expect(() => parseResponse('describe-key', '{"keyId":1}', 'p')).to.throw(PluginError).with.property('code', 'PLUGIN_MALFORMED');
    expect(() => parseResponse('generate-signature', '{"signature":"@@"}', 'p')).to.throw('failed to unmarshal the response of generate-signature command for plugin p');
  });

  it('never crashes on random JSON requests and responses (property)', () => {
    const commands = COMMANDS as readonly Command[];
    fc.assert(
      fc.property(fc.constantFrom(...commands), fc.jsonValue(), (cmd, v) => {
        const text = JSON.stringify(v);
        try {
          parseRequest(cmd, text);
        } catch (e) {
          if (!(e instanceof PluginProtocolError) || e.pluginErrorCode !== 'VALIDATION_ERROR') throw e;
        }
        try {
          parseResponse(cmd, text, 'p');
        } catch (e) {
          if (!(e instanceof PluginError)) throw e;
        }
        parsePluginError(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips valid requests through marshal and parse (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.dictionary(fc.string(), fc.string()), (keyId, payload, cfg) => {
        const req = { contractVersion: '1.0', keyId, keySpec: 'EC-256', hashAlgorithm: 'SHA-256', payload, pluginConfig: cfg };
        const back = parseRequest('generate-signature', marshalRequest('generate-signature', req));
        expect(back.keyId).to.equal(keyId);
        expect(Buffer.from(back.payload!).equals(Buffer.from(payload))).to.equal(true);
        expect(back.pluginConfig ?? {}).to.deep.equal(Object.keys(cfg).length ? cfg : {});
      }),
      { numRuns: 300 },
    );
  });
});

describe('plugin SemVer', () => {
  it('orders versions by SemVer precedence', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.2.0', '10.0.0'];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(comparePluginVersion(ordered[i]!, ordered[j]!), `${ordered[i]} vs ${ordered[j]}`).to.equal(Math.sign(i - j));
      }
    }
    expect(comparePluginVersion('1.0.0+build.1', '1.0.0')).to.equal(0);
  });

  it('rejects non-SemVer versions', () => {
    for (const v of ['1', 'v1.0.0', '1.0', '01.0.0', '1.0.0-01']) {
      expect(() => comparePluginVersion(v, '1.0.0')).to.throw(PluginError, 'is not a valid semantic version');
    }
  });

  it('is antisymmetric on random versions (property)', () => {
    const v = fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20), fc.option(fc.constantFrom('alpha', 'beta.1', 'rc.2', '0', '1.a'))).map(
      ([a, b, c, p]) => `${a}.${b}.${c}${p ? '-' + p : ''}`,
    );
    fc.assert(
      fc.property(v, v, (x, y) => {
        expect(comparePluginVersion(x, y)).to.equal(-comparePluginVersion(y, x) || 0);
      }),
    );
  });
});

describe('plugin archives', () => {
  it('never crash on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => {
        for (const f of [readZip, readTar, readTarGz]) {
          try {
            f(b);
          } catch (e) {
            if (!(e instanceof ArchiveError)) throw e;
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never crash on a mutated zip (property)', () => {
    // A stored single-file zip of "notation-x" with content "hi", built by hand.
    const name = Buffer.from('notation-x');
    const data = Buffer.from('hi');
    const crc = 0xd8932aac;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt32LE(crc, 14); lh.writeUInt32LE(2, 18); lh.writeUInt32LE(2, 22); lh.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(0x0314, 4); cd.writeUInt32LE(crc, 16); cd.writeUInt32LE(2, 20); cd.writeUInt32LE(2, 24);
    cd.writeUInt16LE(name.length, 28); cd.writeUInt32LE((0o100755 << 16) >>> 0, 38);
    const cdOff = 30 + name.length + 2;
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0); eocd.writeUInt16LE(1, 8); eocd.writeUInt16LE(1, 10); eocd.writeUInt32LE(46 + name.length, 12); eocd.writeUInt32LE(cdOff, 16);
    const zip = Buffer.concat([lh, name, data, cd, name, eocd]);
    const files = readZip(zip);
    expect(files).to.have.length(1);
    expect(files[0]).to.include({ name: 'notation-x', mode: 0o755 });
    fc.assert(
      fc.property(fc.nat(zip.length - 1), fc.integer({ min: 0, max: 255 }), (i, v) => {
        const m = Buffer.from(zip);
        m[i] = v;
        try {
          readZip(m);
        } catch (e) {
          if (!(e instanceof ArchiveError)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('verification plugin steps (in-memory plugin)', () => {
  let content: EnvelopeContent;
  const meta = (caps: string[], version = '1.0.0') => ({ name: 'plugin-name', description: 'd', version, url: '.', supportedContractVersions: ['1.0'], capabilities: caps });
  const level = (revocation = 'enforce', authenticity = 'enforce') => ({ enforcement: { revocation, authenticity } });

  before(async () => {
    const pki = await makePki({ name: 'plugin-verify' });
    content = {
      payload: { contentType: 'application/vnd.cncf.notary.payload.v1+json', content: new Uint8Array(Buffer.from('{}')) },
      signerInfo: {
        signedAttributes: {
          signingScheme: 'notary.x509',
          signingTime: new Date('2025-01-01T00:00:00Z'),
          extendedAttributes: [
            { key: HEADER.verificationPlugin, critical: true, value: 'plugin-name' },
            { key: HEADER.verificationPluginMinVersion, critical: true, value: '1.0.0' },
            { key: 'SomeKey', critical: true, value: 'SomeValue' },
            { key: 'Other', critical: false, value: 1 },
          ],
        },
        unsignedAttributes: {},
        signatureAlgorithm: 'ECDSA-SHA-256',
        certificateChain: pki.chain,
        signature: new Uint8Array(64),
      },
    };
  });

  it('builds the request as REF does: zero-time expiry, all non-plugin attributes', () => {
    const req = buildVerifySignatureRequest(content, ['x509.subject:CN=a'], [TI]);
    const json = JSON.parse(marshalRequest('verify-signature', req));
    expect(json.signature.criticalAttributes.expiry).to.equal('0001-01-01T00:00:00Z');
    expect(json.signature.criticalAttributes).to.not.have.property('authenticSigningTime');
    expect(json.signature.criticalAttributes.extendedAttributes).to.deep.equal({ Other: 1, SomeKey: 'SomeValue' });
    expect(json.signature.unprocessedAttributes).to.deep.equal(['SomeKey', 'Other']);
    expect(json.signature.certificateChain[0]).to.equal(Buffer.from(content.signerInfo.certificateChain[0]!.raw).toString('base64'));
    expect(json.trustPolicy).to.deep.equal({ trustedIdentities: ['x509.subject:CN=a'], signatureVerification: [TI] });
  });

  it('fails hard for a missing plugin, an old version, or no verifier capability', async () => {
    const err = async (p: Promise<unknown>) => p.then(() => undefined, (e: NotationError) => e);
    let e = await err(checkVerificationPluginRequirements(content, mockPluginLocator({ installed: false })));
    expect(e).to.be.instanceOf(VerificationInconclusiveError).with.property('code', 'PLUGIN_NOT_FOUND');
    e = await err(checkVerificationPluginRequirements(content, mockPluginLocator({ metadata: meta(['SIGNATURE_GENERATOR.RAW']) })));
    expect(e!.code).to.equal('PLUGIN_NO_VERIFICATION_CAPABILITY');
    const c2 = structuredClone({ ...content, signerInfo: { ...content.signerInfo, certificateChain: [] } });
    c2.signerInfo.signedAttributes.extendedAttributes[1]!.value = '1.2.0';
    e = await err(checkVerificationPluginRequirements(c2, mockPluginLocator({ metadata: meta([TI]) })));
    expect(e!.message).to.equal('found plugin plugin-name with version 1.0.0 but signature verification needs plugin version greater than or equal to 1.2.0');
    const ok = await checkVerificationPluginRequirements(content, mockPluginLocator({ metadata: meta([RC, 'X', TI]) }));
    expect(ok!.capabilities).to.deep.equal([RC, TI]);
  });

  it('requires every extended attribute in processedAttributes', async () => {
    const loc = mockPluginLocator({ metadata: meta([TI]) }, { verificationResults: { [TI]: { success: true } }, processedAttributes: ['SomeKey'] });
    const plugin = await loc.get('plugin-name');
    const run = runVerificationPlugin({ plugin, content, statement: { trustedIdentities: [] }, level: level(), capabilities: [TI] });
    await run.then(() => expect.fail('accepted'), (e: Error) => expect(e.message).to.contain('extended critical attribute "Other" was not processed'));
  });

  it('is inconclusive when a requested capability has no result', async () => {
    const loc = mockPluginLocator({ metadata: meta([TI, RC]) }, { verificationResults: { [TI]: { success: true }, [RC]: null }, processedAttributes: ['SomeKey', 'Other'] });
    const plugin = await loc.get('plugin-name');
    await runVerificationPlugin({ plugin, content, statement: { trustedIdentities: [] }, level: level(), capabilities: [TI, RC] }).then(
      () => expect.fail('accepted'),
      (e: Error) => {
        expect(e).to.be.instanceOf(VerificationInconclusiveError);
        expect(e.message).to.equal(`verification plugin "plugin-name" failed to verify "${RC}"`);
      },
    );
  });

  it('leaves REVOCATION_CHECK out when revocation is skip, and reports logged failures', async () => {
    const loc = mockPluginLocator({ metadata: meta([TI, RC]) }, { verificationResults: { [TI]: { success: false, reason: 'nope' } }, processedAttributes: ['SomeKey', 'Other'] });
    const plugin = (await loc.get('plugin-name')) as unknown as { verifyRequests: { trustPolicy: { signatureVerification: string[] } }[] };
    const run = await runVerificationPlugin({ plugin: plugin as never, content, statement: { trustedIdentities: [] }, level: level('skip', 'log'), capabilities: [TI, RC] });
    expect(plugin.verifyRequests[0]!.trustPolicy.signatureVerification).to.deep.equal([TI]);
    expect(run.failure).to.equal(undefined);
    expect(run.results).to.have.length(1);
    expect(run.results[0]!.error!.message).to.equal('trusted identify verification by plugin "plugin-name" failed with reason "nope"');
    const enforced = await runVerificationPlugin({ plugin: plugin as never, content, statement: { trustedIdentities: [] }, level: level('enforce', 'enforce'), capabilities: [TI, RC] });
    expect(enforced.failure!.code).to.equal('PLUGIN_TRUSTED_IDENTITY_FAILED');
  });
});
