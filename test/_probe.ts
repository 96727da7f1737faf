import { readFileSync } from 'node:fs';
import { loadLocalSigner } from '../src/signer/local.js';
import { signDescriptor } from '../src/signer/sign.js';
const cases = JSON.parse(readFileSync('../shared/notation-made/cases.json','utf8'));
const root='../shared/notation-made/';
for (const p of cases.signTimeProbes) {
  let msg = 'signed';
  for (const mt of ['application/jose+json','application/cose']) {
  try {
    const s = loadLocalSigner(root+p.signingKey, root+p.certChain);
    const m = p.jws.stderr.match(/signing time of (\S+ \S+)/);
    const now = m ? new Date(m[1]+'Z') : new Date('2026-11-22T06:13:15Z');
    await signDescriptor({mediaType:'application/vnd.oci.image.manifest.v1+json',digest:'sha256:'+'a'.repeat(64),size:3}, {signer:s, signatureMediaType:mt, now});
    msg='signed';
  } catch (e) { msg = 'Error: '+(e as Error).message; }
  const exp = p.jws.outcome==='signed' ? 'signed' : p.jws.stderr;
  console.log(p.id, mt, msg===exp ? 'MATCH' : 'DIFF\n  ours: '+msg+'\n  theirs: '+exp);
  }
}
