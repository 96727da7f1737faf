import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseCertificates } from '../src/x509/certificate.js';
import { RevocationError } from '../src/errors.js';
import {
  RevocationValidator, RevocationMemoryCache, FileCrlCache, aggregateRevocationResults, validateChainShape, parseCrl, parseOcspResponse,
  createOcspRequest, ocspRequestTarget, parseDistributionPointUrls, FetchError, type Fetcher, type FetchInit, type CertRevocationResult,
} from '../src/revocation/index.js';
import { buildCrl, buildOcspResponse, makeCert, derExt, type TestCa } from './helpers/revocation-servers.js';
import { sharedPath } from './helpers/shared.js';

const CRL_URL = 'http://crl.test/ca.crl';
const CRL2_URL = 'http://crl.test/ca2.crl';
const ROOT_CRL = 'http://crl.test/root.crl';
const OCSP_URL = 'http://ocsp.test';

interface Pki { root: TestCa; ca: TestCa; leaf: TestCa; leafOcsp: TestCa; leafBoth: TestCa; leafTwoCdp: TestCa; responder: TestCa; responderNoEku: TestCa; other: TestCa }

/** Fetcher serving a URL -> bytes map; counts requests, fails unknown URLs like a refused connection. */
function mapFetcher(routes: Record<string, Uint8Array | (() => Uint8Array) | number>, log: Array<{ url: string; init: FetchInit }> = []): Fetcher {
  return async (url, init) => {
    log.push({ url, init });
    const key = Object.keys(routes).find((k) => url === k || url.startsWith(k + '/'));
    if (key === undefined) throw new FetchError('network', 'connection refused');
    const r = routes[key];
    if (typeof r === 'number') return { status: r, body: new Uint8Array() };
    return { status: 200, body: typeof r === 'function' ? r() : r };
  };
}

describe('revocation', function () {
  this.timeout(60000);
  let p: Pki;
  before(async () => {
    const root = await makeCert({ cn: 'Root', ca: true });
    const ca = await makeCert({ cn: 'CA', ca: true, issuer: root, crlUrls: [ROOT_CRL] });
    const other = await makeCert({ cn: 'Other CA', ca: true });
    p = {
      root, ca, other,
      leaf: await makeCert({ cn: 'Leaf', issuer: ca, crlUrls: [CRL_URL], serial: '1001' }),
      leafOcsp: await makeCert({ cn: 'Leaf OCSP', issuer: ca, ocspUrls: [OCSP_URL], serial: '1002' }),
      leafBoth: await makeCert({ cn: 'Leaf Both', issuer: ca, ocspUrls: [OCSP_URL], crlUrls: [CRL_URL], serial: '1003' }),
      leafTwoCdp: await makeCert({ cn: 'Leaf Two', issuer: ca, crlUrls: [CRL_URL, CRL2_URL], serial: '1004' }),
      responder: await makeCert({ cn: 'Responder', issuer: ca, eku: ['1.3.6.1.5.5.7.3.9'] }),
      responderNoEku: await makeCert({ cn: 'Responder No EKU', issuer: ca }),
    };
  });

  const validator = (routes: Record<string, Uint8Array | (() => Uint8Array) | number>, extra: Partial<ConstructorParameters<typeof RevocationValidator>[0]> = {}, log?: Array<{ url: string; init: FetchInit }>) =>
    new RevocationValidator({ fetcher: mapFetcher(routes, log), memoryCache: new RevocationMemoryCache(), ...extra });
  const goodRootCrl = () => buildCrl(p.root, {});
  const chainOf = (leaf: TestCa) => [leaf.cert, p.ca.cert, p.root.cert];

  describe('CRL', () => {
    it('good CRL: every certificate OK, root never fetched', async () => {
      const log: Array<{ url: string; init: FetchInit }> = [];
      const v = validator({ [CRL_URL]: buildCrl(p.ca, {}), [ROOT_CRL]: goodRootCrl() }, {}, log);
      const r = await v.check(chainOf(p.leaf), { purpose: 'codeSigning' });
      expect(r.result).to.equal('ok');
      expect(r.certResults!.map((c) => c.result)).to.deep.equal(['OK', 'OK', 'NonRevokable']);
      expect(log.map((l) => l.url).sort()).to.deep.equal([CRL_URL, ROOT_CRL]);
      expect(log.every((l) => l.init.method === 'GET' && l.init.timeoutMs === 5000)).to.equal(true);
    });

    it('listed serial is revoked with notation\'s message', async () => {
      const v = validator({ [CRL_URL]: buildCrl(p.ca, { entries: [{ serial: '1001', reason: 1 }] }), [ROOT_CRL]: goodRootCrl() });
      const r = await v.check(chainOf(p.leaf), { purpose: 'codeSigning' });
      expect(r.result).to.equal('revoked');
      expect(r.error!.message).to.equal('signing certificate with subject "CN=Leaf" is revoked');
      expect(r.error!.code).to.equal('CERTIFICATE_REVOKED');
    });

    it('revoked intermediate is revoked; timestamping wording', async () => {
      // chain-shape pre-check only: the test leaf is a code-signing certificate
      const v = validator({ [CRL_URL]: buildCrl(p.ca, {}), [ROOT_CRL]: buildCrl(p.root, { entries: [{ serial: p.ca.cert.serialHex }] }) }, { validateChain: validateChainShape });
      const r = await v.check(chainOf(p.leaf), { purpose: 'timestamping' });
      expect(r.result).to.equal('revoked');
      expect(r.error!.message).to.equal('timestamping certificate with subject "CN=CA" is revoked');
    });

    it('certificateHold revokes; a later removeFromCRL (base or delta) clears it', async () => {
      const t0 = new Date(Date.now() - 7200e3);
      const t1 = new Date(Date.now() - 3600e3);
      let v = validator({ [CRL_URL]: buildCrl(p.ca, { entries: [{ serial: '1001', reason: 6, time: t0 }] }), [ROOT_CRL]: goodRootCrl() });
      expect((await v.check(chainOf(p.leaf), { purpose: 'codeSigning' })).result).to.equal('revoked');
      v = validator({ [CRL_URL]: buildCrl(p.ca, { entries: [{ serial: '1001', reason: 6, time: t0 }, { serial: '1001', reason: 8, time: t1 }] }), [ROOT_CRL]: goodRootCrl() });
      expect((await v.check(chainOf(p.leaf), { purpose: 'codeSigning' })).result).to.equal('ok');
      // removeFromCRL older than the hold does not clear it
      v = validator({ [CRL_URL]: buildCrl(p.ca, { entries: [{ serial: '1001', reason: 6, time: t1 }, { serial: '1001', reason: 8, time: t0 }] }), [ROOT_CRL]: goodRootCrl() });
      expect((await v.check(chainOf(p.leaf), { purpose: 'codeSigning' })).result).to.equal('revoked');
      // delta CRL lifts the hold
      const DELTA = 'http://crl.test/delta.crl';
      v = validator({
        [CRL_URL]: buildCrl(p.ca, { number: 5, freshest: [DELTA], entries: [{ serial: '1001', reason: 6, time: t0 }] }),
        [DELTA]: buildCrl(p.ca, { number: 6, deltaIndicator: 5, entries: [{ serial: '1001', reason: 8, time: t1 }] }),
        [ROOT_CRL]: goodRootCrl(),
      });
      expect((await v.check(chainOf(p.leaf), { purpose: 'codeSigning' })).result).to.equal('ok');
    });

    it('delta CRL revokes; bad delta numbering is unknown', async () => {
      const DELTA = 'http://crl.test/delta.crl';
      const base = buildCrl(p.ca, { number: 5, freshest: [DELTA] });
      let v = validator({ [CRL_URL]: base, [DELTA]: buildCrl(p.ca, { number: 6, deltaIndicator: 5, entries: [{ serial: '1001' }] }), [ROOT_CRL]: goodRootCrl() });
      expect((await v.check(chainOf(p.leaf), { purpose: 'codeSigning' })).result).to.equal('revoked');
      v = validator({ [CRL_URL]: base, [DELTA]: buildCrl(p.ca, { number: 5, deltaIndicator: 5 }), [ROOT_CRL]: goodRootCrl() });
      let r = await v.validate(chainOf(p.leaf), { purpose: 'codeSigning' });
      expect(r[0].result).to.equal('Unknown');
      expect(r[0].serverResults[0].error!.message).to.contain('delta CRL number 5 is not greater than the base CRL number 5');
      v = validator({ [CRL_URL]: base, [DELTA]: buildCrl(p.ca, { number: 7, deltaIndicator: 6 }), [ROOT_CRL]: goodRootCrl() });
      r = await v.validate(chainOf(p.leaf), { purpose: 'codeSigning' });
      expect(r[0].serverResults[0].error!.message).to.contain('delta CRL indicator 6 is not less than or equal to the base CRL number 5');
    });

    it('freshestCRL only in the certificate is unsupported (unknown)', async () => {
      const leaf = await makeCert({ cn: 'Leaf Fresh', issuer: p.ca, crlUrls: [CRL_URL], freshest: ['http://crl.test/d.crl'] });
      const v = validator({ [CRL_URL]: buildCrl(p.ca, {}), [ROOT_CRL]: goodRootCrl() });
      const r = await v.validate(chainOf(leaf), { purpose: 'codeSigning' });
      expect(r[0].result).to.equal('Unknown');
      expect(r[0].serverResults[0].error!.message).to.equal('freshest CRL from certificate extension is not supported');
    });

    it('invalidityDate after the authentic signing time is OK; before it, revoked; no time context, revoked', async () => {
      const inv = new Date(Date.now() - 1800e3);
      const routes = { [CRL_URL]: buildCrl(p.ca, { entries: [{ serial: '1001', invalidity: inv }] }), [ROOT_CRL]: goodRootCrl() };
      expect((await validator(routes).check(chainOf(p.leaf), { purpose: 'codeSigning', signingTime: new Date(inv.getTime() - 60e3) })).result).to.equal('ok');
      expect((await validator(routes).check(chainOf(p.leaf), { purpose: 'codeSigning', signingTime: new Date(inv.getTime() + 60e3) })).result).to.equal('revoked');
      expect((await validator(routes).check(chainOf(p.leaf), { purpose: 'codeSigning' })).result).to.equal('revoked');
    });

    const unknownCases: Array<[string, () => Record<string, Uint8Array | number>, string]> = [
      ['expired CRL', () => ({ [CRL_URL]: buildCrl(p.ca, { nextUpdate: new Date(Date.now() - 60e3) }) }), 'expired CRL. Current time'],
      ['CRL without nextUpdate', () => ({ [CRL_URL]: buildCrl(p.ca, { nextUpdate: null }) }), 'CRL NextUpdate is not set'],
      ['unknown critical CRL extension', () => ({ [CRL_URL]: buildCrl(p.ca, { extra: [derExt('1.2.3.4', true, Uint8Array.from([5, 0]))] }) }), 'unsupported critical extension found in CRL: 1.2.3.4'],
      ['critical unknown entry extension on the matching entry', () => ({ [CRL_URL]: buildCrl(p.ca, { entries: [{ serial: '1001', extra: [derExt('1.2.3.5', true, Uint8Array.from([5, 0]))] }] }) }), 'unsupported critical extension found in CRL: 1.2.3.5'],
      ['CRL signed by another key', () => ({ [CRL_URL]: buildCrl(p.ca, { signWith: p.other.key }) }), 'CRL is not signed by CA CN=CA'],
      ['HTTP 404', () => ({ [CRL_URL]: 404 }), 'failed to download with status code: 404'],
      ['garbage body', () => ({ [CRL_URL]: Uint8Array.from([1, 2, 3]) }), 'x509: malformed crl'],
      ['v1 CRL (Go refuses)', () => ({ [CRL_URL]: buildCrl(p.ca, { version: null }) }), 'unsupported crl version'],
      ['CDP unreachable', () => ({}), 'failed to download CRL from http://crl.test/ca.crl: failed to retrieve CRL: request failed'],
    ];
    for (const [name, routes, msg] of unknownCases) {
      it(`${name} -> unknown`, async () => {
        const v = validator({ ...routes(), [ROOT_CRL]: goodRootCrl() });
        const r = await v.check(chainOf(p.leaf), { purpose: 'codeSigning' });
        expect(r.result).to.equal('unknown');
        expect(r.error!.message).to.equal('signing certificate with subject "CN=Leaf" revocation status is unknown');
        expect(r.certResults![0].serverResults[0].error!.message).to.contain(msg);
        expect(r.logs.some((l) => l.level === 'error' && l.message.includes('encountered an error for revocation method CRL'))).to.equal(true);
      });
    }

    it('critical IssuingDistributionPoint is tolerated; unmatched entries with critical extensions are ignored', async () => {
      const v = validator({
        [CRL_URL]: buildCrl(p.ca, { extra: [derExt('2.5.29.28', true, Uint8Array.from([0x30, 0]))], entries: [{ serial: '77', extra: [derExt('1.2.3.5', true, Uint8Array.from([5, 0]))] }] }),
        [ROOT_CRL]: goodRootCrl(),
      });
      expect((await v.check(chainOf(p.leaf), { purpose: 'codeSigning' })).result).to.equal('ok');
    });

    it('https distribution point -> unknown (http only)', async () => {
      const leaf = await makeCert({ cn: 'Leaf https', issuer: p.ca, crlUrls: ['https://crl.test/ca.crl'] });
      const log: Array<{ url: string; init: FetchInit }> = [];
      const v = validator({ [ROOT_CRL]: goodRootCrl() }, {}, log);
      const r = await v.validate(chainOf(leaf), { purpose: 'codeSigning' });
      expect(r[0].result).to.equal('Unknown');
      expect(r[0].serverResults[0].error!.message).to.contain('unsupported scheme: https. Only supports CRL URL in HTTP protocol');
      expect(log.map((l) => l.url)).to.deep.equal([ROOT_CRL]);
    });

    it('all CDPs are checked: good then revoked is revoked; good then unreachable is unknown', async () => {
      let v = validator({ [CRL_URL]: buildCrl(p.ca, {}), [CRL2_URL]: buildCrl(p.ca, { entries: [{ serial: '1004' }] }), [ROOT_CRL]: goodRootCrl() });
      expect((await v.check(chainOf(p.leafTwoCdp), { purpose: 'codeSigning' })).result).to.equal('revoked');
      v = validator({ [CRL_URL]: buildCrl(p.ca, {}), [ROOT_CRL]: goodRootCrl() });
      const r = await v.validate(chainOf(p.leafTwoCdp), { purpose: 'codeSigning' });
      expect(r[0].result).to.equal('Unknown');
      expect(r[0].serverResults[0].server).to.equal(CRL2_URL);
    });

    it('a CRL larger than 32 MiB is refused', async () => {
      const v = new RevocationValidator({ memoryCache: false, fetcher: async () => { throw new FetchError('too-large', 'response exceeds 33554431 bytes'); } });
      const r = await v.validate(chainOf(p.leaf), { purpose: 'codeSigning' });
      expect(r[0].serverResults[0].error!.message).to.contain('CRL size exceeds the limit: 33554432');
    });

    it('lean parser: 100,000 entries, duplicate serials, signature memoised', () => {
      const entries = Array.from({ length: 100000 }, (_, i) => ({ serial: (0x100000 + i).toString(16) }));
      entries.push({ serial: '1001' }, { serial: '1001' });
      const der = buildCrl(p.ca, { entries });
      const t0 = performance.now();
      const crl = parseCrl(der);
      const parseMs = performance.now() - t0;
      expect(crl.entryCount).to.equal(100002);
      expect(crl.entriesFor(Buffer.from('1001', 'hex'))).to.have.length(2);
      expect(crl.entriesFor(Buffer.from('00100005', 'hex'))).to.have.length(1); // redundant sign byte compares by value
      expect(crl.entriesFor(Buffer.from('0999', 'hex'))).to.have.length(0);
      expect(parseMs).to.be.lessThan(2000);
      expect(crl.checkSignatureFrom(p.ca.cert)).to.equal(undefined);
      const t1 = performance.now();
      for (let i = 0; i < 1000; i++) crl.checkSignatureFrom(p.ca.cert);
      expect(performance.now() - t1).to.be.lessThan(50);
      expect(crl.checkSignatureFrom(p.other.cert)).to.be.a('string');
    });

    it('parser rejects mismatched algorithm identifiers and keeps Go\'s messages', () => {
      const der = Buffer.from(buildCrl(p.ca, {}));
      expect(() => parseCrl(Uint8Array.from([0x30, 0x00]))).to.throw(RevocationError, 'x509: malformed tbs crl');
      expect(() => parseCrl(new TextEncoder().encode('invalid crl'))).to.throw(RevocationError, 'x509: malformed crl');
      // trailing data after the CertificateList is ignored, as Go does
      expect(parseCrl(Buffer.concat([der, Buffer.from([1, 2, 3])])).entryCount).to.equal(0);
    });

    it('distribution point parser follows Go (URIs of fullName, stop at a non-URI)', () => {
      expect(parseDistributionPointUrls(Buffer.from('3000', 'hex'))).to.deep.equal([]);
      expect(() => parseDistributionPointUrls(Buffer.from('0400', 'hex'))).to.throw('x509: invalid CRL distribution points');
      expect(() => parseDistributionPointUrls(Buffer.from('30020400', 'hex'))).to.throw('x509: invalid CRL distribution point');
      // [0] { [1] RDN } is not a fullName: Go errors
      expect(() => parseDistributionPointUrls(Buffer.from('30063004a002a100', 'hex'))).to.throw('x509: invalid CRL distribution point');
      // DNS name first: no URL
      expect(parseDistributionPointUrls(Buffer.from('30093007a005a003820161', 'hex'))).to.deep.equal([]);
    });
  });

  describe('CRL file cache (notation format)', () => {
    let dir: string;
    beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'rev-cache-'))));
    afterEach(async () => rm(dir, { recursive: true, force: true }));

    it('stores {baseCRL, deltaCRL} under crl/<sha256(url)>, serves it offline, no temp files left', async () => {
      const DELTA = 'http://crl.test/delta.crl';
      const base = buildCrl(p.ca, { number: 5, freshest: [DELTA] });
      const delta = buildCrl(p.ca, { number: 6, deltaIndicator: 5 });
      await validator({ [CRL_URL]: base, [DELTA]: delta, [ROOT_CRL]: goodRootCrl() }, { cacheDir: dir }).check(chainOf(p.leaf), { purpose: 'codeSigning' });
      const name = createHash('sha256').update(CRL_URL).digest('hex');
      const doc = JSON.parse(await readFile(join(dir, 'crl', name), 'utf8'));
      expect(Object.keys(doc)).to.deep.equal(['baseCRL', 'deltaCRL']);
      expect(Buffer.from(doc.baseCRL, 'base64').equals(Buffer.from(base))).to.equal(true);
      expect(Buffer.from(doc.deltaCRL, 'base64').equals(Buffer.from(delta))).to.equal(true);
      expect((await readdir(join(dir, 'crl'))).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
      const rootDoc = JSON.parse(await readFile(join(dir, 'crl', FileCrlCache.fileName(ROOT_CRL)), 'utf8'));
      expect(Object.keys(rootDoc)).to.deep.equal(['baseCRL']);
      // offline: every request fails, the file cache answers
      const log: Array<{ url: string; init: FetchInit }> = [];
      const r = await validator({}, { cacheDir: dir }, log).check(chainOf(p.leaf), { purpose: 'codeSigning' });
      expect(r.result).to.equal('ok');
      expect(log).to.deep.equal([]);
    });

    it('corrupt entry: one warning, refetched and rewritten', async () => {
      await mkdir(join(dir, 'crl'), { recursive: true });
      for (const u of [CRL_URL, ROOT_CRL]) await writeFile(join(dir, 'crl', FileCrlCache.fileName(u)), '{"baseCRL": "not base64!"');
      const warnings: string[] = [];
      const r = await validator({ [CRL_URL]: buildCrl(p.ca, {}), [ROOT_CRL]: goodRootCrl() }, { cacheDir: dir, logger: { warn: (m) => warnings.push(m) } }).check(chainOf(p.leaf), { purpose: 'codeSigning' });
      expect(r.result).to.equal('ok');
      expect(warnings).to.deep.equal(["CRL cache error discarded. Enable debug log through '-d' for error details."]);
      expect(JSON.parse(await readFile(join(dir, 'crl', FileCrlCache.fileName(CRL_URL)), 'utf8')).baseCRL).to.be.a('string');
    });

    it('expired entry is a miss and is refreshed', async () => {
      await validator({ [CRL_URL]: buildCrl(p.ca, { nextUpdate: new Date(Date.now() + 1000) }), [ROOT_CRL]: goodRootCrl() }, { cacheDir: dir }).check(chainOf(p.leaf), { purpose: 'codeSigning' });
      const later = new Date(Date.now() + 5000);
      const log: Array<{ url: string; init: FetchInit }> = [];
      const fresh = buildCrl(p.ca, { nextUpdate: new Date(Date.now() + 86400e3), number: 2 });
      const r = await validator({ [CRL_URL]: fresh, [ROOT_CRL]: goodRootCrl() }, { cacheDir: dir, now: () => later }, log).check(chainOf(p.leaf), { purpose: 'codeSigning' });
      expect(r.result).to.equal('ok');
      expect(log.map((l) => l.url)).to.deep.equal([CRL_URL]);
    });

    it('memory cache shared by validators: parsed once, no second download', async () => {
      const mem = new RevocationMemoryCache();
      const log: Array<{ url: string; init: FetchInit }> = [];
      const routes = { [CRL_URL]: buildCrl(p.ca, {}), [ROOT_CRL]: goodRootCrl() };
      for (let i = 0; i < 3; i++) {
        const v = new RevocationValidator({ fetcher: mapFetcher(routes, log), memoryCache: mem });
        expect((await v.check(chainOf(p.leaf), { purpose: 'codeSigning' })).result).to.equal('ok');
      }
      expect(log).to.have.length(2);
    });
  });

  describe('OCSP', () => {
    const chainOcsp = () => chainOf(p.leafOcsp);
    const rootOk = () => ({ [ROOT_CRL]: goodRootCrl() });

    it('request is byte-identical to openssl\'s (SHA-1 CertID, no nonce) and sent as GET', async () => {
      const base = sharedPath('conformance/');
      const chain = parseCertificates(readFileSync(join(base, 'fixtures/notation/test/e2e/testdata/config/ocsp/certchain_with_ocsp.pem')));
      const req = createOcspRequest(chain[0], chain[1]);
      expect(Buffer.from(req).equals(readFileSync(join(base, 'generated/ocsp/e2e-leaf/request.der')))).to.equal(true);
      const t = ocspRequestTarget('http://localhost:10087', req);
      expect(t.method).to.equal('GET');
      expect(t.url).to.equal('http://localhost:10087/' + encodeURIComponent(Buffer.from(req).toString('base64')));
      expect(ocspRequestTarget('http://x.test/ocsp/', req).url.startsWith('http://x.test/ocsp/MF')).to.equal(true);
      expect(ocspRequestTarget('http://x.test', new Uint8Array(200)).method).to.equal('POST');
    });

    it('good from the issuer, good from a delegated responder; 2 s timeout and 20 KiB cap', async () => {
      const log: Array<{ url: string; init: FetchInit }> = [];
      let r = await validator({ [OCSP_URL]: buildOcspResponse(p.ca, { serial: '1002', status: 'good' }), ...rootOk() }, {}, log).check(chainOcsp(), { purpose: 'codeSigning' });
      expect(r.result).to.equal('ok');
      const o = log.find((l) => l.url.startsWith(OCSP_URL))!;
      expect(o.init.method).to.equal('GET');
      expect(o.init.timeoutMs).to.equal(2000);
      expect(o.init.maxBytes).to.equal(20480);
      r = await validator({ [OCSP_URL]: buildOcspResponse(p.ca, { serial: '1002', status: 'good', signer: p.responder }), ...rootOk() }).check(chainOcsp(), { purpose: 'codeSigning' });
      expect(r.result).to.equal('ok');
    });

    it('revoked: message and log line as notation', async () => {
      const r = await validator({ [OCSP_URL]: buildOcspResponse(p.ca, { serial: '1002', status: 'revoked' }), ...rootOk() }).check(chainOcsp(), { purpose: 'codeSigning' });
      expect(r.result).to.equal('revoked');
      expect(r.logs.map((l) => l.message)).to.include(`Certificate #1 in chain with subject "CN=Leaf OCSP" encountered an error for revocation method OCSP at URL "${OCSP_URL}": certificate is revoked via OCSP`);
    });

    it('revoked with an invalidityDate after the authentic signing time is OK', async () => {
      const inv = new Date(Date.now() - 600e3);
      const ext = derExt('2.5.29.24', false, Buffer.from('180f' + Buffer.from(inv.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z')).toString('hex'), 'hex'));
      const routes = { [OCSP_URL]: buildOcspResponse(p.ca, { serial: '1002', status: 'revoked', singleExtensions: [ext] }), ...rootOk() };
      expect((await validator(routes).check(chainOcsp(), { purpose: 'codeSigning', signingTime: new Date(inv.getTime() - 1000) })).result).to.equal('ok');
      expect((await validator(routes).check(chainOcsp(), { purpose: 'codeSigning' })).result).to.equal('revoked');
    });

    const bad: Array<[string, () => Uint8Array | number, string]> = [
      ['no nextUpdate (Go treats it as expired)', () => buildOcspResponse(p.ca, { serial: '1002', status: 'good', nextUpdate: null }), 'expired OCSP response'],
      ['expired response', () => buildOcspResponse(p.ca, { serial: '1002', status: 'good', nextUpdate: new Date(Date.now() - 1000) }), 'expired OCSP response'],
      ['answer for another serial', () => buildOcspResponse(p.ca, { serial: '9999', status: 'good' }), 'no response matching the supplied certificate'],
      ['CertID of another issuer', () => buildOcspResponse(p.ca, { serial: '1002', status: 'good', certIdIssuer: p.other.cert }), 'another issuer'],
      ['signed by an unrelated key', () => buildOcspResponse(p.ca, { serial: '1002', status: 'good', signer: p.other }), 'bad OCSP signature'],
      ['delegated responder without OCSPSigning', () => buildOcspResponse(p.ca, { serial: '1002', status: 'good', signer: p.responderNoEku }), 'not authorized for OCSP signing'],
      ['tryLater', () => buildOcspResponse(p.ca, { serial: '1002', status: 'good', responseStatus: 3 }), 'OCSP try later'],
      ['unauthorized', () => buildOcspResponse(p.ca, { serial: '1002', status: 'good', responseStatus: 6 }), 'OCSP unauthorized'],
      ['HTTP 500', () => 500, 'failed to retrieve OCSP: response had status code 500'],
      ['status unknown', () => buildOcspResponse(p.ca, { serial: '1002', status: 'unknown' }), 'certificate has unknown status via OCSP'],
      ['unknown critical single extension', () => buildOcspResponse(p.ca, { serial: '1002', status: 'good', singleExtensions: [derExt('1.2.3.4', true, Uint8Array.from([5, 0]))] }), 'unsupported critical extension'],
    ];
    for (const [name, body, msg] of bad) {
      it(`${name} -> unknown`, async () => {
        const r = await validator({ [OCSP_URL]: body(), ...rootOk() }).check(chainOcsp(), { purpose: 'codeSigning' });
        expect(r.result).to.equal('unknown');
        expect(r.certResults![0].serverResults[0].error!.message).to.contain(msg);
      });
    }

    it('unknown OCSP falls back to CRL (OCSPFallbackCRL) with a warning', async () => {
      const warnings: string[] = [];
      const chain = chainOf(p.leafBoth);
      const r = await validator({ [OCSP_URL]: buildOcspResponse(p.ca, { serial: '1003', status: 'good', nextUpdate: null }), [CRL_URL]: buildCrl(p.ca, {}), ...rootOk() }, { logger: { warn: (m) => warnings.push(m) } })
        .check(chain, { purpose: 'codeSigning' });
      expect(r.result).to.equal('ok');
      expect(r.certResults![0].method).to.equal('OCSPFallbackCRL');
      expect(r.certResults![0].serverResults.map((s) => s.method)).to.deep.equal(['OCSP', 'CRL']);
      expect(warnings).to.deep.equal(['OCSP check failed with unknown error and fallback to CRL check for certificate #1 in chain with subject "CN=Leaf Both"']);
      // revoked via OCSP does not fall back
      const r2 = await validator({ [OCSP_URL]: buildOcspResponse(p.ca, { serial: '1003', status: 'revoked' }), [CRL_URL]: buildCrl(p.ca, {}), ...rootOk() }).check(chain, { purpose: 'codeSigning' });
      expect(r2.result).to.equal('revoked');
    });

    it('https responder -> unknown without a request; timeout message', async () => {
      const leaf = await makeCert({ cn: 'Leaf OCSPS', issuer: p.ca, ocspUrls: ['https://ocsp.test'] });
      const log: Array<{ url: string; init: FetchInit }> = [];
      const r = await validator(rootOk(), {}, log).validate(chainOf(leaf), { purpose: 'codeSigning' });
      expect(r[0].serverResults[0].error!.message).to.equal('error checking revocation status via OCSP: OCSPServer protocol https is not supported');
      expect(log.some((l) => l.url.startsWith('https'))).to.equal(false);
      const slow = new RevocationValidator({ memoryCache: false, ocspTimeoutMs: 200, fetcher: async (url) => { throw new FetchError('timeout', `request to ${url} timed out`); } });
      const r2 = await slow.validate(chainOcsp(), { purpose: 'codeSigning' });
      expect(r2[0].serverResults[0].error!.message).to.equal('exceeded timeout threshold of 0.20 seconds for OCSP check');
    });

    it('OCSP answers are cached until nextUpdate', async () => {
      const mem = new RevocationMemoryCache();
      const log: Array<{ url: string; init: FetchInit }> = [];
      const routes = { [OCSP_URL]: buildOcspResponse(p.ca, { serial: '1002', status: 'good' }), ...rootOk() };
      for (let i = 0; i < 2; i++) await new RevocationValidator({ fetcher: mapFetcher(routes, log), memoryCache: mem }).check(chainOcsp(), { purpose: 'codeSigning' });
      expect(log.filter((l) => l.url.startsWith(OCSP_URL))).to.have.length(1);
      const later = new Date(Date.now() + 2 * 3600e3);
      await new RevocationValidator({ fetcher: mapFetcher(routes, log), memoryCache: mem, now: () => later }).check(chainOcsp(), { purpose: 'codeSigning' });
      expect(log.filter((l) => l.url.startsWith(OCSP_URL))).to.have.length(2);
    });
  });

  describe('chain and aggregation', () => {
    it('a certificate with neither OCSP nor CRL is NonRevokable with a warning', async () => {
      const leaf = await makeCert({ cn: 'Bare', issuer: p.ca });
      const warnings: string[] = [];
      const r = await validator({ [ROOT_CRL]: goodRootCrl() }, { logger: { warn: (m) => warnings.push(m) } }).check(chainOf(leaf), { purpose: 'codeSigning' });
      expect(r.result).to.equal('ok');
      expect(warnings).to.deep.equal(['Certificate #1 in the chain with subject "CN=Bare" neither has an OCSP nor a CRL revocation method.']);
    });

    it('invalid chains are refused before any request', async () => {
      const log: Array<{ url: string; init: FetchInit }> = [];
      const v = validator({}, {}, log);
      await v.validate([p.leaf.cert, p.root.cert], { purpose: 'codeSigning' }).then(() => expect.fail('should throw'), (e: RevocationError) => {
        expect(e.code).to.equal('REVOCATION_INVALID_CHAIN');
        expect(e.message).to.match(/^invalid chain: expected chain to be correct and complete: .*certificate with subject "CN=Leaf" is not issued by "CN=Root"/);
      });
      // the timestamping purpose applies the TSA rules: a code-signing leaf is refused
      await v.validate(chainOf(p.leaf), { purpose: 'timestamping' }).then(() => expect.fail('should throw'), (e: RevocationError) => expect(e.message).to.contain('Timestamping'));
      await v.validate([], { purpose: 'codeSigning' }).then(() => expect.fail('should throw'), (e: RevocationError) => expect(e.message).to.contain('chain does not contain any certificates'));
      expect(log).to.deep.equal([]);
    });

    it('aggregate: revoked wins over unknown and names the revoked certificate', () => {
      const r = (result: CertRevocationResult['result']): CertRevocationResult => ({ result, method: 'CRL', serverResults: [{ result, server: 'u', method: 'CRL' }] });
      const chain = [{ subject: 'CN=a' }, { subject: 'CN=b' }, { subject: 'CN=c' }];
      expect(aggregateRevocationResults([r('Unknown'), r('Revoked'), r('NonRevokable')], chain, 'codeSigning').error!.message).to.equal('signing certificate with subject "CN=b" is revoked');
      expect(aggregateRevocationResults([r('Unknown'), r('Unknown'), r('NonRevokable')], chain, 'codeSigning').error!.message).to.equal('signing certificate with subject "CN=a" revocation status is unknown');
      expect(aggregateRevocationResults([r('OK'), r('NonRevokable'), r('NonRevokable')], chain, 'codeSigning').result).to.equal('ok');
      expect(aggregateRevocationResults([], chain, 'codeSigning').error!.message).to.equal('certificate revocation result cannot be empty');
    });
  });

  describe('hostile input (fast-check)', () => {
    it('random and mutated CRL bytes give a ParsedCrl or a RevocationError, never anything else', () => {
      const seed = Buffer.from(buildCrl(p.ca, { entries: [{ serial: '1001', reason: 1, invalidity: new Date() }, { serial: '02' }], freshest: ['http://x/d'] }));
      const mutated = fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(8)).map(([i, b, cut]) => {
        const m = Buffer.from(seed);
        m[i] = b;
        return cut ? m.subarray(0, Math.max(0, m.length - cut * 7)) : m;
      });
      fc.assert(fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 300 })), (bytes) => {
        try {
          const crl = parseCrl(bytes);
          crl.entriesFor(Buffer.from('1001', 'hex'));
          crl.checkSignatureFrom(p.ca.cert);
        } catch (e) {
          if (!(e instanceof RevocationError)) throw e;
        }
      }), { numRuns: 3000 });
    });

    it('random and mutated OCSP bytes never crash and never pass unless intact', async () => {
      const seed = Buffer.from(buildOcspResponse(p.ca, { serial: '1002', status: 'good', signer: p.responder }));
      const mutated = fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
        const m = Buffer.from(seed);
        m[i] = b;
        return m;
      });
      fc.assert(fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 300 })), (bytes) => {
        try {
          const r = parseOcspResponse(bytes, p.leafOcsp.cert, p.ca.cert);
          // A parse that succeeds must be about our serial and authenticated.
          expect(r.serial).to.equal('1002');
        } catch (e) {
          if (!(e instanceof RevocationError)) throw e;
        }
      }), { numRuns: 3000 });
      // and through the whole validator: only ok/unknown verdicts, never a throw
      await fc.assert(fc.asyncProperty(mutated, async (bytes) => {
        const r = await validator({ [OCSP_URL]: bytes, [ROOT_CRL]: goodRootCrl() }).check(chainOf(p.leafOcsp), { purpose: 'codeSigning' });
        expect(['ok', 'unknown']).to.include(r.result);
      }), { numRuns: 150 });
    });
  });
});
