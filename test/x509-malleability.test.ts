/**
 * Certificate bytes are not malleable: every single-bit change of a certificate
 * either fails to parse or fails its issuer's signature check. (Found by the
 * envelope fuzzer: the outer algorithm's tag and the signature BIT STRING's
 * unused-bits byte were not checked.)
 */
import { expect } from 'chai';
import { makePki } from './helpers/pki.js';
import { Certificate } from '../src/x509/certificate.js';
import { checkSignatureFrom } from '../src/x509/signature.js';

describe('certificate malleability', function () {
  this.timeout(60000);
  for (const keySpec of ['RSA-2048', 'EC-256'] as const) {
    it(`no bit flip of a ${keySpec}-issued leaf still verifies`, async () => {
      const pki = await makePki({ keySpec, caKeySpec: keySpec });
      const der = Buffer.from(pki.leaf.der);
      const accepted: string[] = [];
      for (let i = 0; i < der.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const m = Buffer.from(der);
          m[i] ^= 1 << bit;
          let c: Certificate;
          try {
            c = new Certificate(m);
          } catch {
            continue;
          }
          if (!checkSignatureFrom(c, pki.intermediate.cert)) accepted.push(`${i}:${bit}`);
        }
      }
      expect(accepted).to.deep.equal([]);
    });
  }
});
