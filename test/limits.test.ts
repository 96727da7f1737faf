/**
 * Limits listed in SECURITY.md that no other test pins down: each bound refuses
 * oversized input with a typed error before doing the work.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotationError } from '../src/errors.js';
import { parseDistinguishedName, MAX_DN_LENGTH } from '../src/x509/dn.js';
import { readZip, ArchiveError } from '../src/plugins/archive.js';
import { PluginSigner, MAX_PLUGIN_CHAIN_LENGTH } from '../src/signer/plugin.js';
import { readRegularFile, MAX_CONFIG_FILE_BYTES } from '../src/config/fsutil.js';
import { loadLocalSigner, MAX_KEY_FILE_BYTES } from '../src/signer/local.js';
import { OciLayoutRepository } from '../src/oci/layout.js';
import { MAX_INDEX_SIZE } from '../src/oci/types.js';
import { makePki } from './helpers/pki.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as NotationError).code ?? (e as Error).constructor.name;
  }
  return undefined;
}

describe('limits', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nts-limits-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(`a distinguished name longer than ${MAX_DN_LENGTH} characters is refused`, () => {
    const ok = `C=US,ST=WA,O=${'x'.repeat(1000)}`;
    expect(parseDistinguishedName(ok).get('O')).to.have.length(1000);
    expect(codeOf(() => parseDistinguishedName(`C=US,ST=WA,O=${'x'.repeat(MAX_DN_LENGTH)}`))).to.equal('DN_PARSE_FAILED');
  });

  it('a zip plugin archive claiming more than 10,000 entries is refused before reading them', () => {
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(10_001, 8);
    eocd.writeUInt16LE(10_001, 10);
    expect(() => readZip(eocd)).to.throw(ArchiveError, /more than 10000 entries/);
  });

  it(`a plugin returning more than ${MAX_PLUGIN_CHAIN_LENGTH} certificates is refused`, async () => {
    const pki = await makePki({ keySpec: 'EC-256' });
    const plugin = {
      name: 'fake',
      getMetadata: async () => ({ name: 'fake', description: 'd', version: '1.0.0', url: 'u', supportedContractVersions: ['1.0'], capabilities: ['SIGNATURE_GENERATOR.RAW'] }),
      describeKey: async () => ({ keyId: 'k', keySpec: 'EC-256' }),
      generateSignature: async () => ({ keyId: 'k', signature: new Uint8Array(64), signingAlgorithm: 'ECDSA-SHA-256', certificateChain: Array.from({ length: MAX_PLUGIN_CHAIN_LENGTH + 1 }, () => pki.leaf.der) }),
      generateEnvelope: async () => {
        throw new Error('unused');
      },
      verifySignature: async () => {
        throw new Error('unused');
      },
    };
    const signer = new PluginSigner(plugin as never, 'k');
    const err = await signer.sign(new Uint8Array([1]), 'SHA-256').catch((e) => e);
    expect(err).to.be.instanceOf(NotationError);
    expect((err as Error).message).to.contain(`at most ${MAX_PLUGIN_CHAIN_LENGTH} are accepted`);
  });

  it(`config files over ${MAX_CONFIG_FILE_BYTES} bytes and key files over ${MAX_KEY_FILE_BYTES} bytes are refused`, () => {
    const big = join(dir, 'config.json');
    writeFileSync(big, Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1, 0x20));
    expect(codeOf(() => readRegularFile(big))).to.equal('CONFIG_FILE_TOO_LARGE');
    const key = join(dir, 'k.pem');
    writeFileSync(key, Buffer.alloc(MAX_KEY_FILE_BYTES + 1, 0x41));
    writeFileSync(join(dir, 'c.pem'), 'x');
    expect(codeOf(() => loadLocalSigner(key, join(dir, 'c.pem')))).to.equal('FILE_TOO_LARGE');
  });

  it(`an OCI layout index.json over ${MAX_INDEX_SIZE} bytes is refused (it bounds the graph walk)`, async () => {
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const entry = `{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:${'a'.repeat(64)}","size":1}`;
    const n = Math.ceil(MAX_INDEX_SIZE / entry.length) + 1;
    writeFileSync(join(dir, 'index.json'), `{"schemaVersion":2,"manifests":[${Array(n).fill(entry).join(',')}]}`);
    const err = await new OciLayoutRepository(dir).resolve(`sha256:${'b'.repeat(64)}`).catch((e) => e);
    expect(err).to.be.instanceOf(NotationError);
    expect((err as Error).message).to.match(/larger than|too large|exceeds|more than/i);
  });
});
