/**
 * The in-process PKCS#11 Signer (design.md "PKCS#11", checklist 7.5).
 *
 * Set-up (once per signer): parse the `pkcs11:` URI, load the module, select the
 * token, log in, find the one private key the URI names, derive its key spec from
 * the key's own attributes (CKA_MODULUS / CKA_EC_PARAMS), and take the certificate
 * chain from the token (the certificate with the key's CKA_ID, then its issuers
 * found on the token by subject) or from plugin config `certChain`. The leaf's
 * public key must be the token key's.
 *
 * Signing: hash locally, then RSA-PSS (CKM_RSA_PKCS_PSS, MGF1 with the same hash,
 * salt = hash length) or CKM_ECDSA, whose output is already r||s. If the token
 * refuses the raw PSS mechanism, the combined CKM_SHA*_RSA_PKCS_PSS is used over
 * the message instead (and remembered).
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { ALGORITHMS, type AlgorithmInfo, type HashAlgorithm, type KeySpec } from '../../envelope/types.js';
import { NotationError } from '../../errors.js';
import type { SignResult, Signer } from '../../signer/types.js';
import { Certificate, parseCertificates } from '../../x509/certificate.js';
import { keySpecOf } from '../../x509/rules.js';
import { Pkcs11Error, Pkcs11ErrorCodes, Pkcs11SigningError, ckrName, nativeReason } from './errors.js';
import { TokenHandle, pkcs11Libs, type Session } from './session.js';
import { describeKey, idHex, parsePkcs11Uri, type Pkcs11Uri } from './uri.js';

/** Environment variable holding the PIN (read from the env the caller passes). */
export const PIN_ENV = 'NOTATION_PKCS11_PIN';
/** Largest PIN file we read. */
export const MAX_PIN_FILE_BYTES = 4096;
/** Largest certChain PEM file we read. */
export const MAX_CERT_CHAIN_FILE_BYTES = 1024 * 1024;
/** Most certificate objects we read from a token. */
export const MAX_TOKEN_CERTIFICATES = 256;
/** Longest chain we build from token certificates. */
export const MAX_CHAIN_LENGTH = 16;

export interface Pkcs11SignerOptions {
  /** The environment to read NOTATION_PKCS11_PIN from (the library never reads process.env). */
  env?: Record<string, string | undefined>;
}

/** A PKCS#11 Signer; close() releases the token session(s) and module. */
export interface Pkcs11Signer extends Signer {
  keySpec(): KeySpec;
  /** The chain that sign() returns, leaf first. */
  readonly certificateChain: readonly Certificate[];
  /** Token label, key label and id, for messages. */
  readonly description: string;
  close(): Promise<void>;
}

/** Plugin config keys the pkcs11 plugin understands. */
export const PKCS11_CONFIG_KEYS = ['module', 'certChain'] as const;
const SECRET_CONFIG = /^(pin|pin-value|pinvalue|user-pin|password|so-pin)$/i;

interface KeyInfo {
  spec: AlgorithmInfo;
  handle: Buffer;
  id: Uint8Array | undefined;
  label: string | undefined;
  /** RSA: big-endian modulus; EC: undefined. */
  modulus?: Uint8Array;
  /** EC: the curve's node name. */
  curve?: string;
}

const CURVE_BY_PARAMS: Record<string, { curve: string; bits: number }> = {
  '06082a8648ce3d030107': { curve: 'prime256v1', bits: 256 },
  '06052b81040022': { curve: 'secp384r1', bits: 384 },
  '06052b81040023': { curve: 'secp521r1', bits: 521 },
};

function getAttr(s: Session, handle: Buffer, type: number): Buffer | undefined {
  try {
    const { pkcs11js } = pkcs11Libs();
    const [a] = (s as unknown as { lib: InstanceType<typeof pkcs11js.PKCS11> }).lib.C_GetAttributeValue(s.handle, handle, [{ type }]);
    return a?.value as Buffer | undefined;
  } catch {
    return undefined;
  }
}

function ulong(b: Buffer | undefined): number | undefined {
  if (!b || b.length === 0) return undefined;
  let v = 0;
  for (let i = Math.min(b.length, 6) - 1; i >= 0; i--) v = v * 256 + b[i]!;
  return v;
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** Reads `pin-source=file:<path>` (RFC 7512): the file's content without a final newline. */
async function readPinSource(source: string, what: string): Promise<string> {
  let path: string;
  if (source.startsWith('file://')) {
    try {
      path = decodeURIComponent(new URL(source).pathname);
    } catch {
      throw new Pkcs11Error(Pkcs11ErrorCodes.pinSourceInvalid, `pin-source of ${what} is not a valid file: URI`);
    }
  } else if (source.startsWith('file:')) {
    path = source.slice('file:'.length);
  } else if (source.startsWith('|')) {
    throw new Pkcs11Error(Pkcs11ErrorCodes.pinSourceInvalid, `pin-source of ${what}: running a command ("|...") is not supported; use pin-source=file:<path>`);
  } else {
    path = source;
  }
  if (!isAbsolute(path)) throw new Pkcs11Error(Pkcs11ErrorCodes.pinSourceInvalid, `pin-source of ${what} must be an absolute path (file:/path/to/pin), got ${JSON.stringify(path)}`);
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_PIN_FILE_BYTES) throw new Error(`larger than ${MAX_PIN_FILE_BYTES} bytes`);
    const text = (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
    if (text === '') throw new Error('the file is empty');
    return text;
  } catch (e) {
    if (e instanceof NotationError) throw e;
    // The message names the file only: the content is the PIN.
    throw new Pkcs11Error(Pkcs11ErrorCodes.pinSourceInvalid, `cannot read the PIN file ${path} for ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
}

async function readCertChainFile(path: string, what: string): Promise<Certificate[]> {
  let bytes: Buffer;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_CERT_CHAIN_FILE_BYTES) throw new Error(`larger than ${MAX_CERT_CHAIN_FILE_BYTES} bytes`);
    bytes = await readFile(path);
  } catch (e) {
    throw new Pkcs11Error(Pkcs11ErrorCodes.certChainInvalid, `cannot read certChain ${path} for ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  let certs: Certificate[];
  try {
    certs = parseCertificates(new Uint8Array(bytes), path);
  } catch (e) {
    throw new Pkcs11Error(Pkcs11ErrorCodes.certChainInvalid, `certChain ${path} for ${what} is not a PEM/DER certificate chain: ${(e as Error).message}`, { cause: e });
  }
  if (certs.length === 0) throw new Pkcs11Error(Pkcs11ErrorCodes.certChainInvalid, `certChain ${path} for ${what} holds no certificate`);
  if (certs.length > MAX_CHAIN_LENGTH) throw new Pkcs11Error(Pkcs11ErrorCodes.certChainInvalid, `certChain ${path} for ${what} holds ${certs.length} certificates; at most ${MAX_CHAIN_LENGTH} are accepted`);
  return certs;
}

function findPrivateKey(s: Session, uri: Pkcs11Uri, tokenLabel: string): KeyInfo {
  const { graphene, pkcs11js } = pkcs11Libs();
  const what = describeKey({ ...uri, token: tokenLabel });
  const template: Record<string, unknown> = { class: graphene.ObjectClass.PRIVATE_KEY };
  if (uri.object !== undefined) template.label = uri.object;
  if (uri.id !== undefined) template.id = Buffer.from(uri.id);
  let found;
  try {
    found = s.find(template);
  } catch (e) {
    throw new Pkcs11Error(Pkcs11ErrorCodes.keyNotFound, `failed to search PKCS#11 ${what}: ${nativeReason(e)}`, { cause: e });
  }
  if (found.length === 0) {
    throw new Pkcs11Error(Pkcs11ErrorCodes.keyNotFound, `no private key found on PKCS#11 ${what} (if the key exists, check that the login succeeded and that object/id match its CKA_LABEL/CKA_ID)`);
  }
  if (found.length > 1) {
    throw new Pkcs11Error(Pkcs11ErrorCodes.keyAmbiguous, `${found.length} private keys match PKCS#11 ${what}; add id=<CKA_ID> (or a unique object=) to the key id`);
  }
  const handle = found.items(0).handle;
  const keyType = ulong(getAttr(s, handle, pkcs11js.CKA_KEY_TYPE));
  const canSign = getAttr(s, handle, pkcs11js.CKA_SIGN);
  if (canSign && canSign.length > 0 && canSign[0] === 0) {
    throw new Pkcs11Error(Pkcs11ErrorCodes.unsupportedKey, `the private key of PKCS#11 ${what} may not sign (CKA_SIGN is false)`);
  }
  const rawId = getAttr(s, handle, pkcs11js.CKA_ID);
  const rawLabel = getAttr(s, handle, pkcs11js.CKA_LABEL);
  const base = { handle, id: rawId && rawId.length ? new Uint8Array(rawId) : undefined, label: rawLabel ? rawLabel.toString('utf8') : undefined };
  if (keyType === pkcs11js.CKK_RSA) {
    const n = getAttr(s, handle, pkcs11js.CKA_MODULUS);
    const modulus = n ? stripZeros(new Uint8Array(n)) : undefined;
    const bits = modulus ? modulus.length * 8 : ulong(getAttr(s, handle, pkcs11js.CKA_MODULUS_BITS));
    const spec = ALGORITHMS.find((a) => a.kind === 'rsa' && a.bits === bits);
    if (!spec) {
      throw new Pkcs11Error(Pkcs11ErrorCodes.unsupportedKey, `the RSA key of PKCS#11 ${what} has ${bits ?? 'an unknown number of'} bits; Notary signing supports RSA-2048, RSA-3072 and RSA-4096`);
    }
    return { ...base, spec, ...(modulus ? { modulus } : {}) };
  }
  if (keyType === pkcs11js.CKK_EC) {
    const params = getAttr(s, handle, pkcs11js.CKA_EC_PARAMS);
    const c = params ? CURVE_BY_PARAMS[params.toString('hex')] : undefined;
    const spec = c && ALGORITHMS.find((a) => a.kind === 'ec' && a.bits === c.bits);
    if (!c || !spec) {
      throw new Pkcs11Error(
        Pkcs11ErrorCodes.unsupportedKey,
        `the EC key of PKCS#11 ${what} is on an unsupported curve (CKA_EC_PARAMS ${params ? params.toString('hex') : 'unreadable'}); Notary signing supports P-256, P-384 and P-521`,
      );
    }
    return { ...base, spec, curve: c.curve };
  }
  throw new Pkcs11Error(
    Pkcs11ErrorCodes.unsupportedKey,
    `the private key of PKCS#11 ${what} has key type ${keyType === undefined ? 'unknown' : '0x' + keyType.toString(16)}; Notary signing supports RSA (2048/3072/4096) and EC (P-256/384/521) keys`,
  );
}

interface TokenCert {
  cert: Certificate;
  id: Uint8Array | undefined;
}

function tokenCertificates(s: Session): TokenCert[] {
  const { graphene, pkcs11js } = pkcs11Libs();
  let found;
  try {
    found = s.find({ class: graphene.ObjectClass.CERTIFICATE });
  } catch {
    return [];
  }
  const out: TokenCert[] = [];
  for (let i = 0; i < Math.min(found.length, MAX_TOKEN_CERTIFICATES); i++) {
    const h = found.items(i).handle;
    const value = getAttr(s, h, pkcs11js.CKA_VALUE);
    if (!value || value.length === 0) continue;
    let certs: Certificate[];
    try {
      certs = parseCertificates(new Uint8Array(value), 'token certificate');
    } catch {
      continue; // a certificate we cannot parse cannot be in our chain
    }
    if (certs.length !== 1) continue;
    const id = getAttr(s, h, pkcs11js.CKA_ID);
    out.push({ cert: certs[0]!, id: id && id.length ? new Uint8Array(id) : undefined });
  }
  return out;
}

/** Whether `pub` is the public half of the token key (RSA modulus / EC curve and point). */
function publicKeyMatches(key: KeyInfo, pub: KeyObject, ecPoint: Uint8Array | undefined): boolean {
  const jwk = pub.export({ format: 'jwk' });
  if (key.spec.kind === 'rsa') {
    if (pub.asymmetricKeyType !== 'rsa') return false;
    if (!key.modulus) return (pub.asymmetricKeyDetails?.modulusLength ?? 0) === key.spec.bits;
    return bytesEqual(stripZeros(Buffer.from(jwk.n ?? '', 'base64url')), key.modulus);
  }
  if (pub.asymmetricKeyType !== 'ec' || pub.asymmetricKeyDetails?.namedCurve !== key.curve) return false;
  if (!ecPoint) return true;
  const size = Math.ceil(key.spec.bits / 8);
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  const expected = Buffer.concat([Buffer.from([4]), Buffer.alloc(size - x.length), x, Buffer.alloc(size - y.length), y]);
  return bytesEqual(ecPoint, expected);
}

/** CKA_EC_POINT of the public key object with the key's id: a DER OCTET STRING around 04||X||Y (or the bare point). */
function ecPointOf(s: Session, key: KeyInfo): Uint8Array | undefined {
  if (key.spec.kind !== 'ec' || !key.id) return undefined;
  const { graphene, pkcs11js } = pkcs11Libs();
  let found;
  try {
    found = s.find({ class: graphene.ObjectClass.PUBLIC_KEY, id: Buffer.from(key.id) });
  } catch {
    return undefined;
  }
  if (found.length !== 1) return undefined;
  const raw = getAttr(s, found.items(0).handle, pkcs11js.CKA_EC_POINT);
  if (!raw || raw.length < 3) return undefined;
  if (raw[0] === 0x04 && raw.length === 1 + 2 * Math.ceil(key.spec.bits / 8)) return new Uint8Array(raw);
  if (raw[0] !== 0x04) return undefined;
  // DER OCTET STRING: 04 len [81 len | 82 hi lo] point
  let off = 2;
  let len = raw[1]!;
  if (len === 0x81) {
    len = raw[2]!;
    off = 3;
  } else if (len === 0x82) {
    len = (raw[2]! << 8) | raw[3]!;
    off = 4;
  }
  return off + len === raw.length ? new Uint8Array(raw.subarray(off)) : undefined;
}

/** Leaf (certificate with the key's CKA_ID matching the key), then issuers by subject. */
function chainFromToken(certs: TokenCert[], key: KeyInfo, ecPoint: Uint8Array | undefined, what: string): Certificate[] {
  const byId = key.id ? certs.filter((c) => c.id && bytesEqual(c.id, key.id!)) : [];
  if (byId.length === 0) {
    throw new Pkcs11Error(
      Pkcs11ErrorCodes.certificateNotFound,
      `no certificate on PKCS#11 ${what} has the key's CKA_ID ${key.id ? idHex(key.id) : '(the key has no CKA_ID)'}; import the signing certificate with the same id, or set plugin config certChain=<path to PEM chain>`,
    );
  }
  const leaf = byId.find((c) => publicKeyMatches(key, c.cert.publicKey, ecPoint));
  if (!leaf) {
    throw new Pkcs11Error(
      Pkcs11ErrorCodes.keyCertificateMismatch,
      `the certificate with CKA_ID ${idHex(key.id!)} on PKCS#11 ${what} (subject "${byId[0]!.cert.subject}") does not hold the public key of the private key`,
    );
  }
  const chain = [leaf.cert];
  let cur = leaf.cert;
  while (chain.length < MAX_CHAIN_LENGTH && !cur.isSelfSigned()) {
    const issuer = certs.find(
      (c) => !chain.includes(c.cert) && bytesEqual(c.cert.rawSubject, cur.rawIssuer) && safeSignedBy(cur, c.cert),
    );
    if (!issuer) break; // chain validation at signing time reports what is missing
    chain.push(issuer.cert);
    cur = issuer.cert;
  }
  return chain;
}

function safeSignedBy(child: Certificate, issuer: Certificate): boolean {
  try {
    return child.isSignedBy(issuer);
  } catch {
    return false;
  }
}

type SignMode = 'prehash' | 'combined';

class Pkcs11KeySigner implements Pkcs11Signer {
  readonly certificateChain: readonly Certificate[];
  readonly description: string;
  private readonly token: TokenHandle;
  private readonly key: KeyInfo;
  private mode: SignMode;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(token: TokenHandle, key: KeyInfo, chain: Certificate[], description: string, mode: SignMode) {
    this.token = token;
    this.key = key;
    this.certificateChain = Object.freeze([...chain]);
    this.description = description;
    this.mode = mode;
  }

  keySpec(): KeySpec {
    return this.key.spec.keySpec;
  }

  async sign(bytesToSign: Uint8Array, hash: HashAlgorithm): Promise<SignResult> {
    if (this.closed) throw new Pkcs11SigningError(Pkcs11ErrorCodes.closed, `the PKCS#11 signer for ${this.description} is closed`);
    const alg = this.key.spec;
    if (hash !== alg.hash) {
      throw new Pkcs11SigningError(Pkcs11ErrorCodes.signFailed, `hash ${hash} requested for the ${alg.keySpec} key of ${this.description}, which signs with ${alg.hash}`);
    }
    const p = this.token.withSession((s) => this.signWith(s, bytesToSign));
    this.inFlight.add(p);
    try {
      const signature = await p;
      return { signature, certificateChain: [...this.certificateChain] };
    } finally {
      this.inFlight.delete(p);
    }
  }

  private async signWith(s: Session, data: Uint8Array): Promise<Uint8Array> {
    const alg = this.key.spec;
    if (alg.kind === 'ec') {
      const sig = await this.cSign(s, 'ECDSA', createHash(alg.nodeHash).update(data).digest());
      const size = 2 * Math.ceil(alg.bits / 8);
      if (sig.length !== size) {
        throw new Pkcs11SigningError(Pkcs11ErrorCodes.signFailed, `CKM_ECDSA on ${this.description} returned ${sig.length} bytes; expected r||s of ${size} bytes`);
      }
      return sig;
    }
    if (this.mode === 'prehash') {
      try {
        return await this.cSign(s, this.pssMechanism(false), createHash(alg.nodeHash).update(data).digest());
      } catch (e) {
        const ckr = ckrName((e as Error).cause ?? e);
        if (ckr !== 'CKR_MECHANISM_INVALID' && ckr !== 'CKR_MECHANISM_PARAM_INVALID') throw e;
        this.mode = 'combined';
      }
    }
    return this.cSign(s, this.pssMechanism(true), Buffer.from(data));
  }

  private readonly mechanisms = new Map<boolean, ReturnType<Pkcs11KeySigner['buildPssMechanism']>>();

  /** CKM_RSA_PKCS_PSS (over a digest) or CKM_SHA*_RSA_PKCS_PSS (over the message); built once per signer. */
  private pssMechanism(combined: boolean) {
    let m = this.mechanisms.get(combined);
    if (!m) this.mechanisms.set(combined, (m = this.buildPssMechanism(combined)));
    return m;
  }

  private buildPssMechanism(combined: boolean) {
    const { graphene } = pkcs11Libs();
    const alg = this.key.spec;
    const hashMech = { 'SHA-256': graphene.MechanismEnum.SHA256, 'SHA-384': graphene.MechanismEnum.SHA384, 'SHA-512': graphene.MechanismEnum.SHA512 }[alg.hash];
    const mgf = { 'SHA-256': graphene.RsaMgf.MGF1_SHA256, 'SHA-384': graphene.RsaMgf.MGF1_SHA384, 'SHA-512': graphene.RsaMgf.MGF1_SHA512 }[alg.hash];
    const name = combined ? `${alg.hash.replace('-', '')}_RSA_PKCS_PSS` : 'RSA_PKCS_PSS';
    return { name, params: new graphene.RsaPssParams(hashMech, mgf, alg.hashLength) };
  }

  private cSign(s: Session, mech: Parameters<Session['createSign']>[0], input: Buffer): Promise<Uint8Array> {
    const fail = (e: unknown) =>
      new Pkcs11SigningError(Pkcs11ErrorCodes.signFailed, `signing with the ${this.key.spec.keySpec} key of ${this.description} failed: ${nativeReason(e)}`, { cause: e });
    return new Promise<Uint8Array>((resolve, reject) => {
      let op;
      try {
        op = s.createSign(mech, { handle: this.key.handle } as unknown as Parameters<Session['createSign']>[1]);
      } catch (e) {
        reject(fail(e));
        return;
      }
      try {
        op.once(input, (err: Error | null, sig: Buffer) => {
          if (err) reject(fail(err));
          else resolve(new Uint8Array(sig));
        });
      } catch (e) {
        reject(fail(e));
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    this.token.close();
  }
}

/**
 * Opens the key named by an RFC 7512 `pkcs11:` URI as a Signer.
 *
 * Module: the URI's `module-path`, else plugin config `module`. PIN: the URI's
 * `pin-source=file:<path>`, else `NOTATION_PKCS11_PIN` from `opts.env`. Chain: plugin
 * config `certChain=<PEM file>` if set, else the token's certificates.
 */
export async function createPkcs11Signer(
  keyId: string,
  pluginConfig: Record<string, string> = {},
  opts: Pkcs11SignerOptions = {},
): Promise<Pkcs11Signer> {
  for (const k of Object.keys(pluginConfig)) {
    if (SECRET_CONFIG.test(k)) {
      throw new Pkcs11Error(Pkcs11ErrorCodes.invalidConfig, `plugin config "${k}" is refused: a PIN must not be stored in signingkeys.json or passed as plugin config; use ${PIN_ENV} or pin-source=file:<path> in the key id`);
    }
  }
  const uri = parsePkcs11Uri(keyId);
  const modulePath = uri.modulePath ?? pluginConfig.module;
  if (!modulePath) {
    throw new Pkcs11Error(Pkcs11ErrorCodes.moduleMissing, `no PKCS#11 module for ${describeKey(uri)}: add ?module-path=<path to the module .so> to the key id, or plugin config module=<path>`);
  }
  if (!isAbsolute(modulePath)) throw new Pkcs11Error(Pkcs11ErrorCodes.moduleMissing, `PKCS#11 module path must be absolute, got ${JSON.stringify(modulePath)}`);
  const what = describeKey(uri);
  let pin: string | undefined;
  let pinOrigin = PIN_ENV;
  if (uri.pinSource !== undefined) {
    pin = await readPinSource(uri.pinSource, what);
    pinOrigin = 'pin-source';
  } else {
    const v = opts.env?.[PIN_ENV];
    if (v !== undefined && v !== '') pin = v;
  }
  const configChain = pluginConfig.certChain ? await readCertChainFile(pluginConfig.certChain, what) : undefined;

  const token = TokenHandle.acquire(modulePath, uri);
  try {
    const full = describeKey({ ...uri, token: token.label });
    token.login(pin, full, pinOrigin);
    const s = token.acquireSync();
    let key: KeyInfo;
    let chain: Certificate[];
    try {
      key = findPrivateKey(s, uri, token.label);
      const ecPoint = ecPointOf(s, key);
      if (configChain) {
        if (!publicKeyMatches(key, configChain[0]!.publicKey, ecPoint)) {
          throw new Pkcs11Error(
            Pkcs11ErrorCodes.keyCertificateMismatch,
            `the first certificate of certChain ${pluginConfig.certChain} (subject "${configChain[0]!.subject}") does not hold the public key of the private key on PKCS#11 ${full}`,
          );
        }
        chain = configChain;
      } else {
        chain = chainFromToken(tokenCertificates(s), key, ecPoint, full);
      }
    } finally {
      token.release(s);
    }
    const leafSpec = keySpecOf(chain[0]!);
    if ('keySpec' in leafSpec && leafSpec.keySpec !== key.spec.keySpec) {
      throw new Pkcs11Error(Pkcs11ErrorCodes.keyCertificateMismatch, `the leaf certificate "${chain[0]!.subject}" has key spec ${leafSpec.keySpec} but the key on PKCS#11 ${full} is ${key.spec.keySpec}`);
    }
    const description = `PKCS#11 ${describeKey({ ...uri, token: token.label, object: uri.object ?? key.label, id: key.id ?? uri.id })}`;
    return new Pkcs11KeySigner(token, key, chain, description, 'prehash');
  } catch (e) {
    token.close();
    throw e;
  }
}
