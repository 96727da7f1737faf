import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NotationError } from '../src/errors.js';
import { parseCertificates } from '../src/x509/certificate.js';
import { requestTimestamp, timestampSignature } from '../src/timestamp/client.js';
import { parseTimestampToken } from '../src/timestamp/token.js';
import { startTsa, type Tsa, type TsaMode } from './helpers/tsa.js';
import { sharedPath } from './helpers/shared.js';

async function codeAndMessage(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { code: (e as NotationError).code, message: (e as Error).message };
  }
  throw new Error('expected a failure');
}

describe('TSA client against an openssl ts TSA', function () {
  this.timeout(60000);
  let tsa: Tsa;
  before(async () => {
    tsa = await startTsa();
  });
  after(async () => {
    await tsa?.stop();
  });
  beforeEach(() => tsa.setMode('ok'));

  it('gets a token that verifies against the TSA root, for each hash', async () => {
    const roots = parseCertificates(Buffer.from(tsa.rootCertPem));
    for (const hash of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
      const sig = randomBytes(64);
      const before = Date.now();
      const der = await requestTimestamp({ url: tsa.url, data: sig, hash });
      const r = parseTimestampToken(der).verify({ signature: sig, roots });
      expect(r.genTime.getTime()).to.be.within(before - 2000, Date.now() + 2000);
      expect(r.range[1].getTime() - r.range[0].getTime()).to.equal(2000); // accuracy secs:1
      expect(r.tsaChain.map((c) => c.subject)).to.deep.equal(['CN=Test TSA,O=notation-ts tests,C=US', 'CN=Test TSA Root,O=notation-ts tests,C=US']);
    }
  });

  it('timestampSignature verifies at signing time and returns the TSA chain', async () => {
    const roots = parseCertificates(Buffer.from(tsa.rootCertPem));
    const { token, tsaChain } = await timestampSignature({ url: tsa.url, data: Buffer.from('sig'), hash: 'SHA-256', roots });
    expect(token.length).to.be.greaterThan(500);
    expect(tsaChain).to.have.length(2);
  });

  it('a token from this TSA does not verify against another root', async () => {
    const other = parseCertificates(readFileSync(sharedPath('notation-made/pki/tsa-root.crt')));
    const sig = Buffer.from('sig');
    const der = await requestTimestamp({ url: tsa.url, data: sig, hash: 'SHA-256' });
    expect(() => parseTimestampToken(der).verify({ signature: sig, roots: other })).to.throw('certificate signed by unknown authority');
    const r = await codeAndMessage(timestampSignature({ url: tsa.url, data: sig, hash: 'SHA-256', roots: other }));
    expect(r.code).to.equal('TIMESTAMP_UNTRUSTED');
  });

  const faults: [TsaMode, string, RegExp][] = [
    ['wrong-nonce', 'TIMESTAMP_RESPONSE_MISMATCH', /nonce in response 66051 does not match nonce in request \d+/],
    ['wrong-imprint', 'TIMESTAMP_RESPONSE_MISMATCH', /message imprint in response .* does not match with request/],
    ['rejection', 'TIMESTAMP_REJECTED', /invalid response with status code 2: rejected. Failure info: unrecognized or unsupported Algorithm Identifier/],
    ['garbage', 'TIMESTAMP_MALFORMED', /malformed timestamping response/],
    ['non-utc', 'TIMESTAMP_RESPONSE_MISMATCH', /TSTInfo genTime must be in UTC/],
    ['http-500', 'TSA_HTTP_ERROR', /https response bad status: 500/],
    ['wrong-content-type', 'TSA_HTTP_ERROR', /unexpected response content type: application\/octet-stream/],
    ['oversized', 'TSA_RESPONSE_TOO_LARGE', /max response body size allowed is 1048576 bytes/],
    ['hang', 'TSA_TIMEOUT', /no response from the timestamp authority within 300 ms/],
  ];
  for (const [mode, code, msg] of faults) {
    it(`fails clearly when the TSA answers with ${mode}`, async () => {
      tsa.setMode(mode);
      const r = await codeAndMessage(requestTimestamp({ url: tsa.url, data: Buffer.from('sig'), hash: 'SHA-256', timeoutMs: 300 }));
      expect(r.code).to.equal(code);
      expect(r.message).to.match(msg);
    });
  }

  it('can be cancelled', async () => {
    tsa.setMode('hang');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const r = await codeAndMessage(requestTimestamp({ url: tsa.url, data: Buffer.from('sig'), hash: 'SHA-256', signal: ac.signal }));
    expect(r.code).to.equal('TSA_REQUEST_ABORTED');
  });

  it('refuses non-http endpoints', async () => {
    const r = await codeAndMessage(requestTimestamp({ url: 'ftp://127.0.0.1/', data: Buffer.from('x'), hash: 'SHA-256' }));
    expect(r.message).to.equal('endpoint "ftp://127.0.0.1/": scheme must be http or https, but got "ftp"');
  });
});

describe('TSA certificate rules on real tokens', function () {
  this.timeout(60000);
  it('an EC P-256 TSA works', async () => {
    const tsa = await startTsa({ key: 'ec' });
    try {
      const sig = Buffer.from('sig');
      const der = await requestTimestamp({ url: tsa.url, data: sig, hash: 'SHA-384' });
      const r = parseTimestampToken(der).verify({ signature: sig, roots: parseCertificates(Buffer.from(tsa.rootCertPem)) });
      expect(r.tsaChain[0].keyKind).to.deep.equal({ type: 'ec', curve: 'prime256v1', bits: 256 });
    } finally {
      await tsa.stop();
    }
  });
});
