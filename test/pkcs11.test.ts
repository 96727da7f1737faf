/**
 * PKCS#11 signing against a real SoftHSM: keys generated in the token for every
 * key spec, certificates from a test CA imported into the token, OCI layouts and
 * blobs signed in both formats and verified with our verifier; concurrency; and
 * every error case (wrong/missing PIN, missing token/key/certificate, locked token,
 * unsupported keys), none of which may reveal the PIN.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { createHash, constants, verify as cryptoVerify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALGORITHMS, MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, type KeySpec } from '../src/envelope/types.js';
import { NotationError } from '../src/errors.js';
import { OciLayoutRepository } from '../src/oci/layout.js';
import { createPkcs11Signer, openHandleCounts, parsePkcs11Uri, Pkcs11ErrorCodes, runPkcs11Plugin, type Pkcs11Signer } from '../src/plugins/pkcs11/index.js';
import { sign, signBlob } from '../src/signer/index.js';
import { parseBlobTrustPolicy, parseOciTrustPolicy } from '../src/trustpolicy/index.js';
import { MemoryTrustStore } from '../src/truststore/index.js';
import { Verifier } from '../src/verifier/verifier.js';
import { KEY_SPECS } from './helpers/pki.js';
import {
  SOFTHSM_MODULE,
  deleteObjects,
  generateKey,
  generateSecretKey,
  importCertificates,
  initToken,
  issueForTokenKey,
  markUserPinLocked,
  provisionToken,
  makeLayout,
  softhsm,
  type ProvisionedToken,
} from './helpers/softhsm.js';

const PIN = '4711-secret-pin';

async function failure(p: Promise<unknown>): Promise<NotationError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof NotationError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('pkcs11: URI parsing (RFC 7512)', () => {
  it('parses path and query attributes with percent-decoding', () => {
    const u = parsePkcs11Uri('pkcs11:token=My%20Token;object=signing%3Bkey;id=%01%ff;slot-id=42;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin');
    expect(u.token).to.equal('My Token');
    expect(u.object).to.equal('signing;key');
    expect(Buffer.from(u.id!).toString('hex')).to.equal('01ff');
    expect(u.slotId).to.equal(42n);
    expect(u.type).to.equal('private');
    expect(u.modulePath).to.equal('/usr/lib/softhsm/libsofthsm2.so');
    expect(u.pinSource).to.equal('file:/run/pin');
    expect(parsePkcs11Uri('pkcs11:object=k;x-vendor=1?x-opt=2').object).to.equal('k');
  });

  it('refuses malformed URIs, unknown attributes, duplicates and pin-value, with the reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty key id/],
      ['token=a;object=b', /must start with "pkcs11:"/],
      ['pkcs11:token=a', /names no key/],
      ['pkcs11:object=a;object=b', /appears more than once/],
      ['pkcs11:object=a;colour=red', /unknown path attribute "colour"/],
      ['pkcs11:object=a?modul-path=/x', /unknown query attribute "modul-path"/],
      ['pkcs11:object=a;module-path=/x', /module-path is a query attribute/],
      ['pkcs11:object=a%zz', /malformed percent-encoding/],
      ['pkcs11:object=%ff', /not valid UTF-8/],
      ['pkcs11:object=a;;token=b', /empty path attribute/],
      ['pkcs11:object=a;slot-id=x1', /slot-id "x1" is not a decimal number/],
      ['pkcs11:object=a;type=secret-key', /cannot sign/],
      ['pkcs11:object=a;type=weird', /type "weird" is not one of/],
      ['pkcs11:object=a b', /whitespace or control characters/],
      ['pkcs11:object=' + 'a'.repeat(5000), /longer than 4096/],
    ];
    for (const [uri, re] of cases) {
      const e = (() => {
        try {
          parsePkcs11Uri(uri);
        } catch (err) {
          return err as NotationError;
        }
        throw new Error(`accepted ${uri}`);
      })();
      expect(e.code, uri).to.equal(Pkcs11ErrorCodes.invalidUri);
      expect(e.message, uri).to.match(re);
    }
    const pv = (() => {
      try {
        parsePkcs11Uri('pkcs11:object=a?pin-value=1234');
      } catch (e) {
        return e as NotationError;
      }
      throw new Error('accepted pin-value');
    })();
    expect(pv.message).to.match(/pin-value is not accepted/);
    expect(pv.message).not.to.include('1234');
  });

  it('round-trips any label and id through percent-encoding (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 20 }), (label, id, token) => {
        fc.pre(!label.includes('\0') && !token.includes('\0'));
        const enc = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => '%' + b.toString(16).padStart(2, '0')).join('');
        const u = parsePkcs11Uri(`pkcs11:token=${enc(token)};object=${enc(label)};id=${[...id].map((b) => '%' + b.toString(16).padStart(2, '0')).join('')}`);
        expect(u.object).to.equal(label);
        expect(u.token).to.equal(token);
        expect(Buffer.from(u.id!).equals(Buffer.from(id))).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never crashes on arbitrary input: a result or a PKCS11_INVALID_URI error (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 120 }), fc.string({ maxLength: 120 }).map((s) => 'pkcs11:' + s)), (s) => {
        try {
          parsePkcs11Uri(s);
        } catch (e) {
          expect((e as NotationError).code).to.equal(Pkcs11ErrorCodes.invalidUri);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('pkcs11: signing with SoftHSM', function () {
  this.timeout(300_000);
  let tok: ProvisionedToken;
  let dir: string;
  const env = { NOTATION_PKCS11_PIN: PIN };
  const open: Pkcs11Signer[] = [];
  const signer = async (keyId: string, cfg: Record<string, string> = {}, e: Record<string, string | undefined> = env) => {
    const s = await createPkcs11Signer(keyId, cfg, { env: e });
    open.push(s);
    return s;
  };

  before(async () => {
    softhsm();
    dir = mkdtempSync(join(tmpdir(), 'nts-pkcs11-'));
    tok = await provisionToken('nts-lib', PIN, KEY_SPECS);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    expect(openHandleCounts()).to.deep.equal({ modules: 0, tokens: 0 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function verifier(): Verifier {
    const statement = { name: 'hsm', signatureVerification: { level: 'strict' }, trustStores: ['ca:hsm'], trustedIdentities: ['*'] };
    return new Verifier({
      ociTrustPolicy: parseOciTrustPolicy(JSON.stringify({ version: '1.0', trustPolicies: [{ ...statement, registryScopes: ['*'] }] })),
      blobTrustPolicy: parseBlobTrustPolicy(JSON.stringify({ version: '1.0', trustPolicies: [{ ...statement, globalPolicy: true }] })),
      trustStore: new MemoryTrustStore({ 'ca:hsm': [tok.pki.root.cert] }),
    });
  }

  it('derives the key spec from the token key and the chain from the token certificates', async () => {
    for (const spec of KEY_SPECS) {
      const k = tok.keys.get(spec)!;
      const s = await signer(k.uri);
      expect(s.keySpec()).to.equal(spec);
      expect(s.certificateChain.map((c) => c.fingerprint256)).to.deep.equal([k.leaf.cert.fingerprint256, tok.pki.intermediate.cert.fingerprint256, tok.pki.root.cert.fingerprint256]);
      expect(s.description).to.equal(`PKCS#11 token "nts-lib", object "${k.label}", id ${k.idHex}`);
    }
  });

  it('signs RSASSA-PSS (salt = hash length) and raw r||s ECDSA that verify with the certificate key', async () => {
    for (const spec of KEY_SPECS) {
      const k = tok.keys.get(spec)!;
      const alg = ALGORITHMS.find((a) => a.keySpec === spec)!;
      const s = await signer(`pkcs11:token=nts-lib;id=%${k.idHex}?module-path=${SOFTHSM_MODULE}`);
      const data = Buffer.from(`bytes to sign with ${spec}`);
      const { signature } = await s.sign(data, alg.hash);
      if (alg.kind === 'rsa') {
        expect(signature.length).to.equal(alg.bits / 8);
        expect(cryptoVerify(alg.nodeHash, data, { key: k.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.hashLength }, signature), spec).to.equal(true);
        expect(cryptoVerify(alg.nodeHash, data, { key: k.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.hashLength - 1 }, signature), spec).to.equal(false);
      } else {
        expect(signature.length).to.equal(2 * Math.ceil(alg.bits / 8));
        expect(cryptoVerify(alg.nodeHash, data, { key: k.publicKey, dsaEncoding: 'ieee-p1363' }, signature), spec).to.equal(true);
      }
      const wrong = alg.hash === 'SHA-256' ? 'SHA-512' : 'SHA-256';
      expect((await failure(s.sign(data, wrong))).code).to.equal(Pkcs11ErrorCodes.signFailed);
    }
  });

  it('signs an OCI layout and a blob with every key spec in both formats; our verifier accepts each signature', async () => {
    const v = verifier();
    const layout = makeLayout(dir);
    const repo = new OciLayoutRepository(layout.path);
    const blob = Buffer.from('a blob signed by an HSM key');
    for (const spec of KEY_SPECS) {
      const s = await signer(tok.keys.get(spec)!.uri);
      for (const mediaType of [MEDIA_TYPE_JWS, MEDIA_TYPE_COSE]) {
        const res = await sign({ signer: s, repository: repo, reference: layout.digest, signatureMediaType: mediaType });
        expect(res.content.signerInfo.certificateChain[0]!.fingerprint256).to.equal(tok.keys.get(spec)!.leaf.cert.fingerprint256);
        const outcome = await v.verify(res.artifactDescriptor, res.envelope, { artifactReference: `local/hsm@${layout.digest}`, signatureMediaType: mediaType });
        expect(outcome.error?.message, `${spec} ${mediaType}`).to.equal(undefined);

        const b = await signBlob({ signer: s, blob, signatureMediaType: mediaType });
        const hash = ALGORITHMS.find((a) => a.keySpec === spec)!.nodeHash;
        const bo = await v.verifyBlob(
          () => ({ mediaType: 'application/octet-stream', digest: `${hash}:${createHash(hash).update(blob).digest('hex')}`, size: blob.length }),
          b.envelope,
          { signatureMediaType: mediaType },
        );
        expect(bo.error?.message, `blob ${spec} ${mediaType}`).to.equal(undefined);
      }
    }
    // A signature over another blob does not verify.
    const s = await signer(tok.keys.get('EC-256')!.uri);
    const b = await signBlob({ signer: s, blob, signatureMediaType: MEDIA_TYPE_JWS });
    const other = await v.verifyBlob(() => ({ mediaType: 'application/octet-stream', digest: `sha256:${createHash('sha256').update('other').digest('hex')}`, size: 5 }), b.envelope, { signatureMediaType: MEDIA_TYPE_JWS });
    expect(other.error?.message).to.equal('integrity check failed. signature does not match the given blob');
  });

  it('8 concurrent signatures in one process all succeed, on one signer and across signers of one token', async () => {
    for (const spec of ['RSA-3072', 'EC-256'] as KeySpec[]) {
      const k = tok.keys.get(spec)!;
      const alg = ALGORITHMS.find((a) => a.keySpec === spec)!;
      const s1 = await signer(k.uri);
      const s2 = await signer(k.uri);
      const inputs = Array.from({ length: 8 }, (_, i) => Buffer.from(`concurrent ${spec} ${i}`));
      const sigs = await Promise.all(inputs.map((d, i) => (i % 2 ? s1 : s2).sign(d, alg.hash)));
      sigs.forEach(({ signature }, i) => {
        const ok =
          alg.kind === 'rsa'
            ? cryptoVerify(alg.nodeHash, inputs[i]!, { key: k.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.hashLength }, signature)
            : cryptoVerify(alg.nodeHash, inputs[i]!, { key: k.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
        expect(ok, `${spec} #${i}`).to.equal(true);
      });
      // Both signers share one token handle (one login, one session pool).
      expect(openHandleCounts()).to.deep.equal({ modules: 1, tokens: 1 });
    }
    // Eight full OCI signatures at once.
    const layout = makeLayout(mkdtempSync(join(dir, 'conc-')));
    const s = await signer(tok.keys.get('EC-384')!.uri);
    const repo = new OciLayoutRepository(layout.path);
    const res = await Promise.all(Array.from({ length: 8 }, () => sign({ signer: s, repository: repo, reference: layout.digest, signatureMediaType: MEDIA_TYPE_COSE })));
    expect(new Set(res.map((r) => r.signatureManifestDescriptor.digest)).size).to.equal(8);
  });

  it('takes the module from plugin config and the PIN from pin-source=file:, and the chain from certChain', async () => {
    const k = tok.keys.get('EC-256')!;
    const pinFile = join(dir, 'pin.txt');
    writeFileSync(pinFile, PIN + '\n', { mode: 0o600 });
    const s = await signer(`pkcs11:token=nts-lib;object=${k.label}?pin-source=file:${pinFile}`, { module: SOFTHSM_MODULE }, {});
    expect(s.keySpec()).to.equal('EC-256');
    await s.close();
    const chainFile = join(dir, 'chain.pem');
    writeFileSync(chainFile, k.leaf.certPem + tok.pki.intermediate.certPem + tok.pki.root.certPem);
    const s2 = await signer(k.uri, { certChain: chainFile });
    expect(s2.certificateChain.length).to.equal(3);
    // A certChain whose leaf is another key's certificate is refused.
    const e = await failure(createPkcs11Signer(tok.keys.get('EC-384')!.uri, { certChain: chainFile }, { env }));
    expect(e.code).to.equal(Pkcs11ErrorCodes.keyCertificateMismatch);
  });

  describe('errors name the token and object and never contain the PIN', () => {
    let errTok: ProvisionedToken;
    const messages: string[] = [];
    const expectError = async (p: Promise<unknown>, code: string, re: RegExp) => {
      const e = await failure(p);
      messages.push(e.message, String(e.stack), JSON.stringify(e));
      expect(e.code, e.message).to.equal(code);
      expect(e.message).to.match(re);
      return e;
    };

    before(async () => {
      errTok = await provisionToken('nts-err', PIN, ['EC-256'], 'nts-err');
      // A key without a certificate, an RSA-1024 key, a secret key, and two keys sharing a label.
      generateKey('nts-err', PIN, 'EC-256', 'no-cert', '10');
      generateKey('nts-err', PIN, 'RSA-1024', 'rsa1024', '11');
      generateSecretKey('nts-err', PIN, 'aes', '12');
      generateKey('nts-err', PIN, 'EC-256', 'twin', '13');
      generateKey('nts-err', PIN, 'EC-256', 'twin', '14');
      // A certificate under the key's id but for another key.
      generateKey('nts-err', PIN, 'EC-384', 'mismatch', '15');
      const otherLeaf = await issueForTokenKey(errTok.keys.get('EC-256')!.publicKey, 'EC-256', errTok.pki.intermediate, 'CN=wrong key,O=Notation TS Test,C=US');
      importCertificates('nts-err', PIN, [{ cert: otherLeaf, label: 'mismatch', idHex: '15' }]);
      initToken('nts-locked', PIN);
      generateKey('nts-locked', PIN, 'EC-256', 'k', '01');
      markUserPinLocked('nts-locked');
    });
    after(() => {
      const leaked = messages.filter((m) => m.includes(PIN) || m.includes('4711'));
      expect(leaked).to.deep.equal([]);
    });

    const uri = (object: string, token = 'nts-err') => `pkcs11:token=${token};object=${object}?module-path=${SOFTHSM_MODULE}`;

    it('wrong PIN', async () => {
      await expectError(createPkcs11Signer(uri('key-ec-256'), {}, { env: { NOTATION_PKCS11_PIN: '4711-wrong' } }), Pkcs11ErrorCodes.pinIncorrect, /^PKCS#11 token "nts-err" refused the PIN from NOTATION_PKCS11_PIN \(CKR_PIN_INCORRECT\) for token "nts-err", object "key-ec-256"/);
    });
    it('missing PIN', async () => {
      await expectError(createPkcs11Signer(uri('key-ec-256'), {}, { env: {} }), Pkcs11ErrorCodes.pinMissing, /token "nts-err" requires a login to use token "nts-err", object "key-ec-256": set the NOTATION_PKCS11_PIN/);
    });
    it('unreadable pin-source', async () => {
      await expectError(createPkcs11Signer(`${uri('key-ec-256')}&pin-source=file:${join(dir, 'absent-pin')}`, {}, { env }), Pkcs11ErrorCodes.pinSourceInvalid, /cannot read the PIN file .*absent-pin.*ENOENT/);
    });
    it('PIN in plugin config is refused', async () => {
      await expectError(createPkcs11Signer(uri('key-ec-256'), { pin: PIN }, { env }), Pkcs11ErrorCodes.invalidConfig, /plugin config "pin" is refused/);
    });
    it('missing token', async () => {
      await expectError(createPkcs11Signer(uri('key-ec-256', 'no-such-token'), {}, { env }), Pkcs11ErrorCodes.tokenNotFound, /no initialised PKCS#11 token matches token="no-such-token" in module .*libsofthsm2\.so \(tokens present: .*"nts-err"/);
    });
    it('missing module', async () => {
      await expectError(createPkcs11Signer('pkcs11:token=nts-err;object=x', {}, { env }), Pkcs11ErrorCodes.moduleMissing, /no PKCS#11 module for token "nts-err", object "x"/);
      await expectError(createPkcs11Signer('pkcs11:token=nts-err;object=x?module-path=/nonexistent/lib.so', {}, { env }), Pkcs11ErrorCodes.moduleLoadFailed, /failed to load PKCS#11 module \/nonexistent\/lib\.so/);
    });
    it('missing key', async () => {
      await expectError(createPkcs11Signer(uri('absent'), {}, { env }), Pkcs11ErrorCodes.keyNotFound, /no private key found on PKCS#11 token "nts-err", object "absent"/);
    });
    it('ambiguous key', async () => {
      await expectError(createPkcs11Signer(uri('twin'), {}, { env }), Pkcs11ErrorCodes.keyAmbiguous, /2 private keys match PKCS#11 token "nts-err", object "twin"; add id=/);
      const s = await createPkcs11Signer(`pkcs11:token=nts-err;object=twin;id=%13?module-path=${SOFTHSM_MODULE}`, {}, { env }).catch((e: NotationError) => e);
      // Found uniquely by id; it has no certificate.
      expect((s as NotationError).code).to.equal(Pkcs11ErrorCodes.certificateNotFound);
    });
    it('key without a certificate', async () => {
      await expectError(createPkcs11Signer(uri('no-cert'), {}, { env }), Pkcs11ErrorCodes.certificateNotFound, /no certificate on PKCS#11 token "nts-err", object "no-cert" has the key's CKA_ID 10; import the signing certificate .* or set plugin config certChain=/);
    });
    it('certificate of another key under the key id', async () => {
      await expectError(createPkcs11Signer(uri('mismatch'), {}, { env }), Pkcs11ErrorCodes.keyCertificateMismatch, /CKA_ID 15 on PKCS#11 token "nts-err", object "mismatch" \(subject "CN=wrong key/);
    });
    it('unsupported key types', async () => {
      await expectError(createPkcs11Signer(uri('rsa1024'), {}, { env }), Pkcs11ErrorCodes.unsupportedKey, /RSA key of PKCS#11 token "nts-err", object "rsa1024" has 1024 bits; Notary signing supports RSA-2048, RSA-3072 and RSA-4096/);
      // A secret key is not a private key: no private key matches.
      await expectError(createPkcs11Signer(uri('aes'), {}, { env }), Pkcs11ErrorCodes.keyNotFound, /object "aes"/);
    });
    it('locked token', async () => {
      await expectError(createPkcs11Signer(uri('k', 'nts-locked'), {}, { env }), Pkcs11ErrorCodes.tokenLocked, /the user PIN of PKCS#11 token "nts-locked" is locked; unlock it with the token's SO PIN/);
    });
    it('a different PIN for a token this process is logged in to', async () => {
      const s = await createPkcs11Signer(uri('key-ec-256'), {}, { env });
      try {
        await expectError(createPkcs11Signer(uri('key-ec-256'), {}, { env: { NOTATION_PKCS11_PIN: '4711-other' } }), Pkcs11ErrorCodes.pinConflict, /already logged in by this process with a different PIN/);
      } finally {
        await s.close();
      }
    });
    it('a closed signer refuses to sign', async () => {
      const s = await createPkcs11Signer(uri('key-ec-256'), {}, { env });
      await s.close();
      await expectError(s.sign(Buffer.from('x'), 'SHA-256'), Pkcs11ErrorCodes.closed, /signer for PKCS#11 token "nts-err", object "key-ec-256", id 01 is closed/);
    });
    it('the plugin protocol maps PIN errors to ACCESS_DENIED without the PIN', async () => {
      const r = await runPkcs11Plugin(['describe-key'], JSON.stringify({ contractVersion: '1.0', keyId: uri('key-ec-256') }), { env: { NOTATION_PKCS11_PIN: '4711-wrong' } });
      messages.push(r.stderr);
      expect(r.exitCode).to.equal(1);
      expect(JSON.parse(r.stderr)).to.include({ errorCode: 'ACCESS_DENIED' });
    });
    it('objects deleted from the token are not found', async () => {
      expect(deleteObjects('nts-err', PIN, 'no-cert')).to.equal(2);
      await expectError(createPkcs11Signer(uri('no-cert'), {}, { env }), Pkcs11ErrorCodes.keyNotFound, /object "no-cert"/);
    });
  });
});

describe('pkcs11: the plugin protocol (runPkcs11Plugin)', function () {
  this.timeout(120_000);
  let tok: ProvisionedToken;
  before(async () => {
    softhsm();
    tok = await provisionToken('nts-proto', PIN, ['RSA-2048', 'EC-521'], 'nts-proto');
  });
  const env = { NOTATION_PKCS11_PIN: PIN };

  it('answers get-plugin-metadata, describe-key and generate-signature', async () => {
    const meta = await runPkcs11Plugin(['get-plugin-metadata'], '{}', { env });
    expect(meta.exitCode).to.equal(0);
    expect(JSON.parse(meta.stdout)).to.deep.include({ name: 'pkcs11', supportedContractVersions: ['1.0'], capabilities: ['SIGNATURE_GENERATOR.RAW'] });
    const renamed = await runPkcs11Plugin(['get-plugin-metadata'], '{}', { env: { NOTATION_PKCS11_PLUGIN_NAME: 'pkcs11-ext' } });
    expect(JSON.parse(renamed.stdout).name).to.equal('pkcs11-ext');
    for (const spec of ['RSA-2048', 'EC-521'] as KeySpec[]) {
      const k = tok.keys.get(spec)!;
      const alg = ALGORITHMS.find((a) => a.keySpec === spec)!;
      const dk = await runPkcs11Plugin(['describe-key'], JSON.stringify({ contractVersion: '1.0', keyId: k.uri }), { env });
      expect(JSON.parse(dk.stdout)).to.deep.equal({ keyId: k.uri, keySpec: spec });
      const payload = Buffer.from('payload to sign');
      const gs = await runPkcs11Plugin(
        ['generate-signature'],
        JSON.stringify({ contractVersion: '1.0', keyId: k.uri, keySpec: spec, hashAlgorithm: alg.hash, payload: payload.toString('base64') }),
        { env },
      );
      expect(gs.exitCode, gs.stderr).to.equal(0);
      const resp = JSON.parse(gs.stdout) as { keyId: string; signature: string; signingAlgorithm: string; certificateChain: string[] };
      expect(resp.keyId).to.equal(k.uri);
      expect(resp.signingAlgorithm).to.equal(alg.signatureAlgorithm);
      expect(resp.certificateChain.map((c) => Buffer.from(c, 'base64').equals(Buffer.from(k.leaf.der)))[0]).to.equal(true);
      expect(resp.certificateChain.length).to.equal(3);
      const sig = Buffer.from(resp.signature, 'base64');
      const ok =
        alg.kind === 'rsa'
          ? cryptoVerify(alg.nodeHash, payload, { key: k.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.hashLength }, sig)
          : cryptoVerify(alg.nodeHash, payload, { key: k.publicKey, dsaEncoding: 'ieee-p1363' }, sig);
      expect(ok).to.equal(true);
    }
  });

  it('reports contract errors in the plugin error JSON', async () => {
    const k = tok.keys.get('RSA-2048')!;
    const bad = async (argv: string[], body: unknown) => JSON.parse((await runPkcs11Plugin(argv, JSON.stringify(body), { env })).stderr) as { errorCode: string; errorMessage: string };
    expect(await bad(['describe-key'], { contractVersion: '2.0', keyId: k.uri })).to.deep.equal({ errorCode: 'UNSUPPORTED_CONTRACT_VERSION', errorMessage: '"2.0" is not a supported notary plugin contract version' });
    expect(await bad(['describe-key'], { contractVersion: '1.0' })).to.deep.equal({ errorCode: 'VALIDATION_ERROR', errorMessage: 'keyId cannot be empty' });
    expect((await bad(['generate-signature'], { contractVersion: '1.0', keyId: k.uri, keySpec: 'EC-256', hashAlgorithm: 'SHA-256', payload: 'AA==' })).errorMessage).to.equal('keySpec "EC-256" does not match the key\'s RSA-2048');
    expect((await bad(['generate-signature'], { contractVersion: '1.0', keyId: k.uri, keySpec: 'RSA-2048', hashAlgorithm: 'SHA-384', payload: 'AA==' })).errorMessage).to.match(/hashAlgorithm "SHA-384" does not match key spec RSA-2048/);
    expect((await bad(['generate-envelope'], {})).errorCode).to.equal('VALIDATION_ERROR');
    expect((await bad(['describe-key'], { contractVersion: '1.0', keyId: 'pkcs11:token=x' })).errorCode).to.equal('VALIDATION_ERROR');
    expect((await bad(['describe-key'], { contractVersion: '1.0', keyId: `pkcs11:token=nts-proto;object=nope?module-path=${SOFTHSM_MODULE}` })).errorCode).to.equal('ERROR');
  });

  it('prints a launcher for notation plugin install --file', async () => {
    const r = await runPkcs11Plugin(['launcher', '--name', 'pkcs11'], '', { nodePath: '/usr/bin/node', scriptPath: "/opt/it's/bin/notation-pkcs11.js" });
    expect(r.stdout).to.equal(
      "#!/bin/sh\n# notation plugin launcher for the notation-ts PKCS#11 plugin (generated by `notation-pkcs11 launcher`)\nNOTATION_PKCS11_PLUGIN_NAME='pkcs11' exec '/usr/bin/node' '/opt/it'\\''s/bin/notation-pkcs11.js' \"$@\"\n",
    );
  });
});
