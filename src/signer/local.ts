/**
 * Local-key Signer: a PEM private key (PKCS#8, PKCS#1 or SEC1) and a PEM chain,
 * leaf first, as notation-go's NewGenericSignerFromFiles loads them. The key must
 * be the leaf's key; the key spec comes from the leaf (checklist 1.2). RSA signs
 * with RSASSA-PSS, salt = hash length; ECDSA returns raw r||s.
 *
 * Error texts follow Go's crypto/tls LoadX509KeyPair and notation-core-go, which
 * is what `notation sign` prints for the same bad input.
 */
import { constants, createPrivateKey, createPublicKey, sign as cryptoSign, type KeyObject, type JsonWebKey } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { ALGORITHMS, type AlgorithmInfo, type HashAlgorithm, type KeySpec } from '../envelope/types.js';
import { SigningError } from '../errors.js';
import { Certificate, pemBlocks } from '../x509/certificate.js';
import type { SignResult, Signer } from './types.js';

/** Key and certificate files are small; bound what we read. */
export const MAX_KEY_FILE_BYTES = 1024 * 1024;

/**
 * The key spec of a signing certificate (notation-core-go ExtractKeySpec): only the
 * six sizes/curves of the algorithm table are accepted.
 */
export function keySpecOf(cert: Certificate): KeySpec {
  const k = cert.keyKind;
  if (k.type === 'rsa') {
    const a = ALGORITHMS.find((x) => x.kind === 'rsa' && x.bits === k.bits);
    if (!a) throw new SigningError('UNSUPPORTED_SIGNING_KEY', `rsa key size ${k.bits} bits is not supported`);
    return a.keySpec;
  }
  if (k.type === 'ec') {
    const a = ALGORITHMS.find((x) => x.kind === 'ec' && x.curve === k.curve);
    if (!a) throw new SigningError('UNSUPPORTED_SIGNING_KEY', `ecdsa key size ${k.bits || 'unknown'} bits is not supported`);
    return a.keySpec;
  }
  throw new SigningError('UNSUPPORTED_SIGNING_KEY', 'unsupported public key type');
}

export function algorithmOf(keySpec: KeySpec): AlgorithmInfo {
  const a = ALGORITHMS.find((x) => x.keySpec === keySpec);
  if (!a) throw new SigningError('UNSUPPORTED_SIGNING_KEY', `key spec ${keySpec} is not supported`);
  return a;
}

/**
 * Parses the first PEM block whose type ends in "PRIVATE KEY" (as crypto/tls does):
 * PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`.
 * Encrypted keys are refused.
 */
export function parsePrivateKeyPem(data: Uint8Array | string): KeyObject {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  const blocks = pemBlocks(text);
  if (blocks.length === 0) throw new SigningError('INVALID_SIGNING_KEY', 'tls: failed to find any PEM data in key input');
  const block = blocks.find((b) => b.type.endsWith('PRIVATE KEY'));
  if (!block) {
    throw new SigningError(
      'INVALID_SIGNING_KEY',
      `tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: [${blocks.map((b) => b.type).join(' ')}]`,
    );
  }
  // Legacy encrypted PEM carries Proc-Type/DEK-Info headers inside the block.
  if (/Proc-Type:/i.test(text) || block.type === 'ENCRYPTED PRIVATE KEY') {
    throw new SigningError('INVALID_SIGNING_KEY', 'tls: failed to parse private key');
  }
  const der = Buffer.from(block.der);
  const attempts: Array<{ format: 'der'; type: 'pkcs1' | 'pkcs8' | 'sec1' }> = [
    { format: 'der', type: 'pkcs1' },
    { format: 'der', type: 'pkcs8' },
    { format: 'der', type: 'sec1' },
  ];
  for (const a of attempts) {
    try {
      const key = createPrivateKey({ key: der, ...a });
      // Go's parsers know RSA, ECDSA and Ed25519 only (no RSA-PSS-restricted keys).
      if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'ec' || key.asymmetricKeyType === 'ed25519') return key;
    } catch {
      /* try the next encoding */
    }
  }
  throw new SigningError('INVALID_SIGNING_KEY', 'tls: failed to parse private key');
}

/** Parses the CERTIFICATE blocks of a PEM chain, leaf first (as crypto/tls does). */
export function parseCertificateChainPem(data: Uint8Array | string): Certificate[] {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  const blocks = pemBlocks(text);
  if (blocks.length === 0) throw new SigningError('INVALID_CERTIFICATE_CHAIN', 'tls: failed to find any PEM data in certificate input');
  const certs = blocks.filter((b) => b.type === 'CERTIFICATE');
  if (certs.length === 0) {
    throw new SigningError(
      'INVALID_CERTIFICATE_CHAIN',
      `tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [${blocks.map((b) => b.type).join(' ')}]`,
    );
  }
  return certs.map((b) => {
    try {
      return new Certificate(b.der);
    } catch (e) {
      throw new SigningError('INVALID_CERTIFICATE_CHAIN', `x509: ${(e as Error).message}`, { cause: e });
    }
  });
}

function jwk(k: KeyObject): JsonWebKey {
  return k.export({ format: 'jwk' });
}

/** Whether the private key is the key of the certificate (compares the public parts). */
export function keyMatchesCertificate(key: KeyObject, cert: Certificate): boolean {
  const pub = cert.publicKey;
  if (key.asymmetricKeyType !== pub.asymmetricKeyType) return false;
  const a = jwk(createPublicKey(key));
  const b = jwk(pub);
  if (key.asymmetricKeyType === 'rsa') return a.n === b.n && a.e === b.e;
  if (key.asymmetricKeyType === 'ec') return a.crv === b.crv && a.x === b.x && a.y === b.y;
  return a.x === b.x;
}

/** crypto/tls's check that the key belongs to the leaf, with its messages. */
function checkKeyPair(key: KeyObject, leaf: Certificate): void {
  const pubType = leaf.publicKey.asymmetricKeyType;
  if (pubType !== 'rsa' && pubType !== 'ec' && pubType !== 'ed25519') {
    throw new SigningError('INVALID_SIGNING_KEY', 'tls: unknown public key algorithm');
  }
  if (key.asymmetricKeyType !== pubType) {
    throw new SigningError('KEY_CERTIFICATE_MISMATCH', 'tls: private key type does not match public key type');
  }
  if (!keyMatchesCertificate(key, leaf)) {
    throw new SigningError('KEY_CERTIFICATE_MISMATCH', 'tls: private key does not match public key');
  }
}

export class LocalSigner implements Signer {
  readonly certificateChain: readonly Certificate[];
  private readonly key: KeyObject;
  private readonly spec: KeySpec;
  private readonly alg: AlgorithmInfo;

  /** `chain` is leaf first. Throws SigningError if the key is not the leaf's or the key spec is unsupported. */
  constructor(key: KeyObject, chain: readonly Certificate[]) {
    if (chain.length === 0) throw new SigningError('INVALID_CERTIFICATE_CHAIN', '"certs" param is invalid. Error: empty certs');
    if (key.type !== 'private') throw new SigningError('INVALID_SIGNING_KEY', 'signing key must be a private key');
    checkKeyPair(key, chain[0]);
    this.spec = keySpecOf(chain[0]);
    this.alg = algorithmOf(this.spec);
    this.key = key;
    this.certificateChain = [...chain];
  }

  /** From PEM texts: key (PKCS#8/PKCS#1/SEC1) and chain (leaf first). */
  static fromPem(keyPem: Uint8Array | string, chainPem: Uint8Array | string): LocalSigner {
    // crypto/tls reads the certificate input before the key.
    const chain = parseCertificateChainPem(chainPem);
    const key = parsePrivateKeyPem(keyPem);
    return new LocalSigner(key, chain);
  }

  keySpec(): KeySpec {
    return this.spec;
  }

  async sign(bytesToSign: Uint8Array, hash: HashAlgorithm): Promise<SignResult> {
    return this.signSync(bytesToSign, hash);
  }

  /** Synchronous form (the work is CPU-bound). */
  signSync(bytesToSign: Uint8Array, hash: HashAlgorithm): SignResult {
    if (hash !== this.alg.hash) {
      throw new SigningError('UNSUPPORTED_HASH', `hash ${hash} does not match key spec ${this.spec} (${this.alg.hash})`);
    }
    const signature =
      this.alg.kind === 'rsa'
        ? cryptoSign(this.alg.nodeHash, bytesToSign, { key: this.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: this.alg.hashLength })
        : cryptoSign(this.alg.nodeHash, bytesToSign, { key: this.key, dsaEncoding: 'ieee-p1363' });
    return { signature: new Uint8Array(signature.buffer, signature.byteOffset, signature.length), certificateChain: [...this.certificateChain] };
  }
}

function readBounded(path: string, what: string): Buffer {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    throw new SigningError('FILE_NOT_FOUND', `open ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`, { cause: e });
  }
  if (st.isDirectory()) throw new SigningError('INVALID_SIGNING_KEY', `read ${path}: is a directory`);
  if (st.size > MAX_KEY_FILE_BYTES) throw new SigningError('FILE_TOO_LARGE', `${what} file ${path} is larger than ${MAX_KEY_FILE_BYTES} bytes`);
  const data = readFileSync(path);
  if (data.length > MAX_KEY_FILE_BYTES) throw new SigningError('FILE_TOO_LARGE', `${what} file ${path} is larger than ${MAX_KEY_FILE_BYTES} bytes`);
  return data;
}

/** notation-go NewGenericSignerFromFiles: reads both files and builds the signer. */
export function loadLocalSigner(keyPath: string, certPath: string): LocalSigner {
  if (!keyPath) throw new SigningError('INVALID_SIGNING_KEY', 'key path not specified');
  if (!certPath) throw new SigningError('INVALID_CERTIFICATE_CHAIN', 'certificate path not specified');
  const chainPem = readBounded(certPath, 'certificate');
  const keyPem = readBounded(keyPath, 'key');
  return LocalSigner.fromPem(keyPem, chainPem);
}
