/** The public facade, used as a library would use it, on signatures the real notation made. */
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { verify, verifyBlob, list, OciLayoutRepository, VerificationFailedError, NotationError } from '../src/index.js';
import { sharedPath } from './helpers/shared.js';

const NM = sharedPath('notation-made');
const DIGEST = 'sha256:11ecf776c3fa005fa46d9548a5233014995d4322bb1e8b913c79c0388c17c993';

describe('library facade', () => {
  let cfg: string;
  beforeEach(() => {
    cfg = mkdtempSync(join(tmpdir(), 'nts-api-'));
    cpSync(join(NM, 'truststore'), join(cfg, 'truststore'), { recursive: true });
  });
  afterEach(() => rmSync(cfg, { recursive: true, force: true }));

  it('verify() accepts a notation-made OCI layout signature and reports the outcome', async () => {
    cpSync(join(NM, 'policies/oci-strict.json'), join(cfg, 'trustpolicy.json'));
    const r = await verify({ ociLayout: join(NM, 'oci/oci-cose-ec384'), reference: 'v1', scope: 'local/interop', configDir: cfg });
    expect(r.descriptor?.digest).to.equal(DIGEST);
    expect(r.outcome.verificationLevel.name).to.equal('strict');
    expect(r.outcome.verificationResults.map((x) => [x.type, x.error?.message])).to.deep.equal([
      ['integrity', undefined],
      ['authenticity', undefined],
      ['expiry', undefined],
      ['authenticTimestamp', undefined],
    ]);
    expect(r.outcome.envelopeContent?.signerInfo.signatureAlgorithm).to.equal('ECDSA-SHA-384');
  });

  it('verify() throws a typed error for a tampered signature', async () => {
    cpSync(join(NM, 'policies/oci-strict.json'), join(cfg, 'trustpolicy.json'));
    const err = await verify({ ociLayout: join(NM, 'oci/oci-jws-tampered'), reference: DIGEST, scope: 'local/interop', configDir: cfg }).catch((e) => e);
    expect(err).to.be.instanceOf(VerificationFailedError);
    expect((err as NotationError).code).to.equal('VERIFICATION_FAILED');
  });

  it('verifyBlob() checks the blob bytes against the signature', async () => {
    cpSync(join(NM, 'policies/blob-strict.json'), join(cfg, 'trustpolicy.blob.json'));
    const signature = readFileSync(join(NM, 'blob/blob-jws-rsa/artifact.txt.jws.sig'));
    const ok = await verifyBlob({ blob: join(NM, 'blob/artifact.txt'), signature, signatureMediaType: 'application/jose+json', configDir: cfg });
    expect(ok.error).to.equal(undefined);
    const bad = await verifyBlob({ blob: readFileSync(join(NM, 'blob/artifact-tampered.txt')), signature, signatureMediaType: 'application/jose+json', configDir: cfg }).catch((e) => e);
    expect((bad as Error).message).to.equal('integrity check failed. signature does not match the given blob');
  });

  it('list() returns the signature manifests of an artifact', async () => {
    const r = await list(new OciLayoutRepository(join(NM, 'oci/oci-jws-rsa')), 'v1');
    expect(r.signatures.map((d) => d.digest)).to.deep.equal(['sha256:dafa0239ec363afad86e4b8d92eeb75ed4c69a54f92c4cfe6930e55e027af460']);
  });
});
