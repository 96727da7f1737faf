/**
 * Real revocation components for tests, all on 127.0.0.1 with ephemeral ports:
 *
 * - a test PKI made per run with `openssl ca` (root -> intermediate -> leaves,
 *   plus a second intermediate, a delegated OCSP responder and a TSA-like leaf),
 *   whose AIA / CDP URLs point at the two servers below;
 * - an OCSP responder: a node http server that runs `openssl ocsp -index ...
 *   -reqin in.der -respout out.der` per request (GET and POST), never
 *   `openssl ocsp -port` (that binds every interface);
 * - a CRL server serving `openssl ca -gencrl` output (DER).
 *
 * Both servers have fault modes so tests can take them down or make them lie.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseCertificates, type Certificate } from '../../src/x509/certificate.js';

const run = promisify(execFile);

async function openssl(args: string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await run('openssl', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

export type OcspMode =
  | { kind: 'normal' }
  /** Reset every connection (responder down). */
  | { kind: 'down' }
  | { kind: 'status'; code: number }
  | { kind: 'garbage' }
  | { kind: 'hang' }
  /** Answer with a response about another certificate (its request is built from `certPath`). */
  | { kind: 'answer-for'; certPath: string };

export type CrlMode = { kind: 'normal' } | { kind: 'down' } | { kind: 'status'; code: number } | { kind: 'hang' };

/** A CA managed with `openssl ca` (its own index.txt, serial and CRL number). */
interface CaInfo {
  name: string;
  dir: string;
  cert: string;
  key: string;
  /** OCSP responder cert/key that signs for this CA (delegated or the CA itself). */
  rsigner: string;
  rkey: string;
}

export interface RevocationTestEnv {
  dir: string;
  ocspUrl: string;
  crlBaseUrl: string;
  /** Paths of the generated certificates by name. */
  certs: Record<string, string>;
  /** Certificates of a chain, leaf first: e.g. chain('leaf') = leaf, inter, root. */
  chain(name: string): Promise<Certificate[]>;
  /** Revokes a certificate in its CA's index and regenerates that CA's CRL. */
  revoke(name: string, opts?: { reason?: string; invalidityDate?: string }): Promise<void>;
  /** Regenerates a CA's CRL; `nextUpdate`/`lastUpdate` as YYYYMMDDHHMMSSZ for expired CRLs. */
  regenerateCrl(ca: 'root' | 'inter' | 'inter2', opts?: { lastUpdate?: string; nextUpdate?: string }): Promise<void>;
  setOcspMode(m: OcspMode): void;
  setCrlMode(m: CrlMode): void;
  /** Requests served so far. */
  hits: { ocsp: number; crl: number };
  /** Stops the CRL server for good (connection refused afterwards). */
  stopCrlServer(): Promise<void>;
  stop(): Promise<void>;
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function tracked(server: http.Server): { close(): Promise<void> } {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  let closed: Promise<void> | undefined;
  return {
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      })),
  };
}

function readBody(req: http.IncomingMessage, max = 64 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) {
        reject(new Error('request too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts both servers, then generates the PKI with their URLs. */
export async function startRevocationEnv(): Promise<RevocationTestEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'notation-ts-rev-'));
  const ocspServer = http.createServer();
  const crlServer = http.createServer();
  const ocspClose = tracked(ocspServer);
  const crlClose = tracked(crlServer);
  const ocspPort = await listen(ocspServer);
  const crlPort = await listen(crlServer);
  const ocspUrl = `http://127.0.0.1:${ocspPort}`;
  const crlBaseUrl = `http://127.0.0.1:${crlPort}`;
  let ocspMode: OcspMode = { kind: 'normal' };
  let crlMode: CrlMode = { kind: 'normal' };
  const hits = { ocsp: 0, crl: 0 };
  const cas: Record<string, CaInfo> = {};
  const certs: Record<string, string> = {};
  const issuerOf: Record<string, string> = {};

  // ---------- PKI ----------
  const cnf = join(dir, 'ca.cnf');
  const caSection = (name: string) => `
[ CA_${name} ]
dir = ${join(dir, name)}
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir/newcerts
certificate = $dir/ca.crt
private_key = $dir/ca.key
default_md = sha256
default_days = 365
default_crl_days = 7
policy = policy_any
unique_subject = no
copy_extensions = none
crl_extensions = crl_ext
`;
  const aia = (ca: string) => `authorityInfoAccess = OCSP;URI:${ocspUrl}/${ca}`;
  const cdp = (ca: string) => `crlDistributionPoints = URI:${crlBaseUrl}/${ca}.crl`;
  await writeFile(cnf, `
[ ca ]
default_ca = CA_root
${caSection('root')}
${caSection('inter')}
${caSection('inter2')}
[ policy_any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ crl_ext ]
authorityKeyIdentifier = keyid
[ v3_root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
${cdp('root')}
${aia('root')}
[ v3_inter_crl ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
${cdp('root')}
[ v3_leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
${cdp('inter')}
${aia('inter')}
[ v3_leaf_crl ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
${cdp('inter')}
[ v3_leaf_ocsp ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
${aia('inter')}
[ v3_leaf2 ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
${cdp('inter2')}
[ v3_tsa ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
${cdp('inter')}
${aia('inter')}
[ v3_ocsp ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
[ v3_ocsp_noeku ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
`);

  const newKey = async (path: string) => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path]);
  const initCa = async (name: string) => {
    const d = join(dir, name);
    await mkdir(join(d, 'newcerts'), { recursive: true });
    await writeFile(join(d, 'index.txt'), '');
    await writeFile(join(d, 'index.txt.attr'), 'unique_subject = no\n');
    await writeFile(join(d, 'serial'), randomBytes(8).toString('hex').replace(/^./, '1') + '\n');
    await writeFile(join(d, 'crlnumber'), '1000\n');
    return d;
  };
  const issue = async (ca: string, name: string, cn: string, ext: string) => {
    const key = join(dir, `${name}.key`);
    const csr = join(dir, `${name}.csr`);
    const crt = join(dir, `${name}.crt`);
    await newKey(key);
    await openssl(['req', '-new', '-key', key, '-subj', `/O=Notation TS Test/CN=${cn}`, '-out', csr, '-config', cnf]);
    await openssl(['ca', '-batch', '-config', cnf, '-name', `CA_${ca}`, '-extensions', ext, '-in', csr, '-out', crt, '-notext']);
    certs[name] = crt;
    issuerOf[name] = ca;
    return { crt, key };
  };

  // Root CA (self-signed, then registered as an `openssl ca`).
  const rootDir = await initCa('root');
  await newKey(join(rootDir, 'ca.key'));
  await openssl(['req', '-x509', '-new', '-key', join(rootDir, 'ca.key'), '-subj', '/O=Notation TS Test/CN=Test Root', '-days', '3650', '-config', cnf, '-extensions', 'v3_root', '-out', join(rootDir, 'ca.crt')]);
  certs.root = join(rootDir, 'ca.crt');
  cas.root = { name: 'root', dir: rootDir, cert: certs.root, key: join(rootDir, 'ca.key'), rsigner: certs.root, rkey: join(rootDir, 'ca.key') };

  for (const [ca, ext, cn] of [['inter', 'v3_inter', 'Test Intermediate'], ['inter2', 'v3_inter_crl', 'Test Intermediate 2']] as const) {
    const d = await initCa(ca);
    const { crt, key } = await issue('root', ca, cn, ext);
    await writeFile(join(d, 'ca.crt'), await readFile(crt));
    await writeFile(join(d, 'ca.key'), await readFile(key));
    cas[ca] = { name: ca, dir: d, cert: crt, key, rsigner: crt, rkey: key };
  }
  // The intermediate answers OCSP through a delegated responder.
  const responder = await issue('inter', 'ocsp-responder', 'Test OCSP Responder', 'v3_ocsp');
  cas.inter.rsigner = responder.crt;
  cas.inter.rkey = responder.key;
  await issue('inter', 'ocsp-noeku', 'Test Responder Without EKU', 'v3_ocsp_noeku');
  await issue('inter', 'leaf', 'Test Leaf', 'v3_leaf');
  await issue('inter', 'leaf-revoked', 'Test Revoked Leaf', 'v3_leaf');
  await issue('inter', 'leaf-crl', 'Test CRL-only Leaf', 'v3_leaf_crl');
  await issue('inter', 'leaf-ocsp', 'Test OCSP-only Leaf', 'v3_leaf_ocsp');
  await issue('inter', 'leaf-hold', 'Test Held Leaf', 'v3_leaf_crl');
  await issue('inter', 'tsa', 'Test TSA', 'v3_tsa');
  await issue('inter2', 'leaf2', 'Test Leaf Under Intermediate 2', 'v3_leaf2');

  const regenerateCrl = async (ca: 'root' | 'inter' | 'inter2', o: { lastUpdate?: string; nextUpdate?: string } = {}) => {
    const pem = join(dir, `${ca}.crl.pem`);
    const args = ['ca', '-gencrl', '-config', cnf, '-name', `CA_${ca}`, '-out', pem];
    if (o.lastUpdate) args.push('-crl_lastupdate', o.lastUpdate);
    if (o.nextUpdate) args.push('-crl_nextupdate', o.nextUpdate);
    await openssl(args);
    await openssl(['crl', '-in', pem, '-outform', 'DER', '-out', join(dir, `${ca}.crl`)]);
  };
  for (const ca of ['root', 'inter', 'inter2'] as const) await regenerateCrl(ca);

  const revoke = async (name: string, o: { reason?: string; invalidityDate?: string } = {}) => {
    const ca = issuerOf[name];
    const args = ['ca', '-config', cnf, '-name', `CA_${ca}`, '-revoke', certs[name]];
    if (o.reason === 'certificateHold') args.push('-crl_hold', 'holdInstructionNone');
    else if (o.invalidityDate) args.push('-crl_compromise', o.invalidityDate);
    else args.push('-crl_reason', o.reason ?? 'keyCompromise');
    await openssl(args);
    await regenerateCrl(ca as 'root' | 'inter' | 'inter2');
  };

  const chain = async (name: string): Promise<Certificate[]> => {
    const out: Certificate[] = [];
    let n: string | undefined = name;
    while (n) {
      out.push(parseCertificates(await readFile(certs[n]), n)[0]);
      n = issuerOf[n];
    }
    return out;
  };

  // ---------- OCSP responder ----------
  let seq = 0;
  ocspServer.on('request', async (req, res) => {
    hits.ocsp++;
    const mode = ocspMode;
    if (mode.kind === 'down') {
      req.socket.destroy();
      return;
    }
    if (mode.kind === 'hang') return;
    try {
      const url = new URL(req.url ?? '/', ocspUrl);
      const [caName, ...rest] = url.pathname.slice(1).split('/');
      const ca = cas[caName];
      if (!ca) {
        res.writeHead(404).end();
        return;
      }
      let reqDer = req.method === 'POST' ? await readBody(req) : Buffer.from(decodeURIComponent(rest.join('/')), 'base64');
      if (mode.kind === 'status') {
        res.writeHead(mode.code).end();
        return;
      }
      if (mode.kind === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(randomBytes(64));
        return;
      }
      const id = `${process.pid}-${++seq}`;
      const inPath = join(dir, `ocsp-req-${id}.der`);
      const outPath = join(dir, `ocsp-resp-${id}.der`);
      if (mode.kind === 'answer-for') {
        await openssl(['ocsp', '-issuer', ca.cert, '-cert', mode.certPath, '-no_nonce', '-reqout', inPath]);
        reqDer = await readFile(inPath);
      }
      await writeFile(inPath, reqDer);
      await openssl(['ocsp', '-index', join(ca.dir, 'index.txt'), '-rsigner', ca.rsigner, '-rkey', ca.rkey, '-CA', ca.cert, '-ndays', '1', '-reqin', inPath, '-respout', outPath]);
      const body = await readFile(outPath);
      await rm(inPath, { force: true });
      await rm(outPath, { force: true });
      res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(body);
    } catch (e) {
      res.writeHead(500).end(String((e as Error).message));
    }
  });

  // ---------- CRL server ----------
  crlServer.on('request', async (req, res) => {
    hits.crl++;
    const mode = crlMode;
    if (mode.kind === 'down') {
      req.socket.destroy();
      return;
    }
    if (mode.kind === 'hang') return;
    if (mode.kind === 'status') {
      res.writeHead(mode.code).end();
      return;
    }
    const m = /^\/(root|inter|inter2)\.crl$/.exec(req.url ?? '');
    if (!m || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(await readFile(join(dir, `${m[1]}.crl`)));
  });

  return {
    dir,
    ocspUrl,
    crlBaseUrl,
    certs,
    chain,
    revoke,
    regenerateCrl,
    setOcspMode: (m) => void (ocspMode = m),
    setCrlMode: (m) => void (crlMode = m),
    hits,
    stopCrlServer: () => crlClose.close(),
    stop: async () => {
      await Promise.all([ocspClose.close(), crlClose.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------
// In-process builders for unit tests: exact control over every CRL / OCSP field.
// ---------------------------------------------------------------------------
import 'reflect-metadata';
import * as px from '@peculiar/x509';
import { createHash, sign as cryptoSign, webcrypto, KeyObject } from 'node:crypto';
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { tlv, encodeOid } from '../../src/revocation/asn1.js';
import { Certificate as Cert } from '../../src/x509/certificate.js';

px.cryptoProvider.set(webcrypto as unknown as Parameters<typeof px.cryptoProvider.set>[0]);

export interface TestCa {
  cert: Cert;
  key: KeyObject;
}

const ECDSA_SHA256 = tlv(0x30, tlv(0x06, encodeOid('1.2.840.10045.4.3.2')));
const seqOf = (...x: Uint8Array[]) => tlv(0x30, ...x);
const int = (hex: string) => {
  let h = hex.length % 2 ? '0' + hex : hex;
  if (parseInt(h.slice(0, 2), 16) >= 0x80) h = '00' + h;
  return tlv(0x02, Buffer.from(h, 'hex'));
};
const gtime = (d: Date) => tlv(0x18, Buffer.from(d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z'), 'latin1'));
const utime = (d: Date) => tlv(0x17, Buffer.from(d.toISOString().slice(2).replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z'), 'latin1'));
export const derExt = (oid: string, critical: boolean, value: Uint8Array) =>
  seqOf(tlv(0x06, encodeOid(oid)), ...(critical ? [Uint8Array.from([0x01, 0x01, 0xff])] : []), tlv(0x04, value));
/** DER value of a CRLDistributionPoints / FreshestCRL extension with full-name URIs. */
export const dpValue = (urls: string[]) => seqOf(seqOf(tlv(0xa0, tlv(0xa0, ...urls.map((u) => tlv(0x86, Buffer.from(u, 'latin1')))))));
const sign = (key: KeyObject, data: Uint8Array) => cryptoSign('sha256', data, { key, dsaEncoding: 'der' });

export interface CrlEntrySpec {
  serial: string;
  time?: Date;
  reason?: number;
  invalidity?: Date;
  /** Raw extra entry extensions (DER Extension). */
  extra?: Uint8Array[];
}

/** A DER CRL signed by `ca` (ECDSA P-256 / SHA-256). */
export function buildCrl(ca: TestCa, o: {
  entries?: CrlEntrySpec[];
  thisUpdate?: Date;
  nextUpdate?: Date | null;
  number?: number;
  deltaIndicator?: number;
  freshest?: string[];
  /** Raw extra CRL extensions (DER Extension). */
  extra?: Uint8Array[];
  version?: number | null;
  signWith?: KeyObject;
}): Uint8Array {
  const now = Date.now();
  const entries = (o.entries ?? []).map((e) => {
    const exts: Uint8Array[] = [];
    if (e.reason !== undefined) exts.push(derExt('2.5.29.21', false, tlv(0x0a, Uint8Array.from([e.reason]))));
    if (e.invalidity) exts.push(derExt('2.5.29.24', false, gtime(e.invalidity)));
    exts.push(...(e.extra ?? []));
    return seqOf(int(e.serial), utime(e.time ?? new Date(now - 3600e3)), ...(exts.length ? [seqOf(...exts)] : []));
  });
  const exts: Uint8Array[] = [];
  exts.push(derExt('2.5.29.20', false, int((o.number ?? 1).toString(16))));
  if (o.deltaIndicator !== undefined) exts.push(derExt('2.5.29.27', true, int(o.deltaIndicator.toString(16))));
  if (o.freshest) exts.push(derExt('2.5.29.46', false, dpValue(o.freshest)));
  exts.push(...(o.extra ?? []));
  const nextUpdate = o.nextUpdate === undefined ? new Date(now + 24 * 3600e3) : o.nextUpdate;
  const tbs = seqOf(
    ...(o.version === null ? [] : [int((o.version ?? 1).toString(16))]),
    ECDSA_SHA256,
    ca.cert.rawSubject,
    utime(o.thisUpdate ?? new Date(now - 3600e3)),
    ...(nextUpdate ? [utime(nextUpdate)] : []),
    ...(entries.length ? [seqOf(Buffer.concat(entries))] : []),
    tlv(0xa0, seqOf(...exts)),
  );
  return seqOf(tbs, ECDSA_SHA256, tlv(0x03, Uint8Array.from([0]), sign(o.signWith ?? ca.key, tbs)));
}

/** A DER OCSP response about `serial` of a certificate issued by `issuer`. */
export function buildOcspResponse(issuer: TestCa, o: {
  serial: string;
  status: 'good' | 'revoked' | 'unknown';
  thisUpdate?: Date;
  nextUpdate?: Date | null;
  /** Signer (default: the issuer itself, no embedded cert). */
  signer?: TestCa;
  embed?: boolean;
  singleExtensions?: Uint8Array[];
  /** CertID issuer to hash (default: issuer). */
  certIdIssuer?: Cert;
  responseStatus?: number;
}): Uint8Array {
  if (o.responseStatus) return seqOf(tlv(0x0a, Uint8Array.from([o.responseStatus])));
  const now = Date.now();
  const who = o.certIdIssuer ?? issuer.cert;
  const spki = Buffer.from(who.spki);
  // key bits of the SPKI: last BIT STRING content minus the unused-bits byte
  const keyBits = (() => {
    const top = spki;
    let p = 2 + (top[1] & 0x80 ? top[1] & 0x7f : 0);
    const algLen = top[p + 1];
    p += 2 + algLen;
    let len = top[p + 1];
    let hdr = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = parseInt(top.subarray(p + 2, p + 2 + n).toString('hex'), 16);
      hdr += n;
    }
    return top.subarray(p + hdr + 1, p + hdr + len);
  })();
  const certId = seqOf(
    seqOf(tlv(0x06, encodeOid('1.3.14.3.2.26')), Uint8Array.from([5, 0])),
    tlv(0x04, createHash('sha1').update(who.rawSubject).digest()),
    tlv(0x04, createHash('sha1').update(keyBits).digest()),
    int(o.serial),
  );
  const status = o.status === 'good' ? Uint8Array.from([0x80, 0]) : o.status === 'unknown' ? Uint8Array.from([0x82, 0]) : tlv(0xa1, gtime(new Date(now - 3600e3)));
  const nextUpdate = o.nextUpdate === undefined ? new Date(now + 3600e3) : o.nextUpdate;
  const single = seqOf(
    certId,
    status,
    gtime(o.thisUpdate ?? new Date(now - 60e3)),
    ...(nextUpdate ? [tlv(0xa0, gtime(nextUpdate))] : []),
    ...(o.singleExtensions?.length ? [tlv(0xa1, seqOf(...o.singleExtensions))] : []),
  );
  const signer = o.signer ?? issuer;
  const tbs = seqOf(tlv(0xa1, signer.cert.rawSubject), gtime(new Date(now - 60e3)), seqOf(single));
  const basic = seqOf(tbs, ECDSA_SHA256, tlv(0x03, Uint8Array.from([0]), sign(signer.key, tbs)), ...(o.embed || o.signer ? [tlv(0xa0, seqOf(signer.cert.raw))] : []));
  return seqOf(tlv(0x0a, Uint8Array.from([0])), tlv(0xa0, seqOf(tlv(0x06, encodeOid('1.3.6.1.5.5.7.48.1.1')), tlv(0x04, basic))));
}

/** Issues a certificate with @peculiar/x509 (EC P-256). */
export async function makeCert(o: {
  cn: string;
  issuer?: TestCa;
  ca?: boolean;
  serial?: string;
  crlUrls?: string[];
  ocspUrls?: string[];
  freshest?: string[];
  eku?: string[];
  keyUsage?: number;
}): Promise<TestCa> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const exts: px.Extension[] = [new px.BasicConstraintsExtension(!!o.ca, undefined, true)];
  exts.push(new px.KeyUsagesExtension(o.keyUsage ?? (o.ca ? px.KeyUsageFlags.keyCertSign | px.KeyUsageFlags.cRLSign : px.KeyUsageFlags.digitalSignature), true));
  if (o.eku) exts.push(new px.ExtendedKeyUsageExtension(o.eku, false));
  if (o.crlUrls) exts.push(new px.Extension('2.5.29.31', false, dpValue(o.crlUrls)));
  if (o.freshest) exts.push(new px.Extension('2.5.29.46', false, dpValue(o.freshest)));
  if (o.ocspUrls) exts.push(new px.AuthorityInfoAccessExtension({ ocsp: o.ocspUrls.map((u) => new px.GeneralName('url', u)) }));
  const common = {
    serialNumber: o.serial ?? '01' + createHash('sha1').update(o.cn + Math.random()).digest('hex').slice(0, 14),
    notBefore: new Date(Date.now() - 86400e3),
    notAfter: new Date(Date.now() + 365 * 86400e3),
    signingAlgorithm: alg,
    extensions: exts,
  };
  const x = o.issuer
    ? await px.X509CertificateGenerator.create({ ...common, subject: `CN=${o.cn}`, issuer: o.issuer.cert.subject.split(',').reverse().join(', '), publicKey: keys.publicKey, signingKey: await toCryptoKey(o.issuer.key) })
    : await px.X509CertificateGenerator.createSelfSigned({ ...common, name: `CN=${o.cn}`, keys });
  return { cert: new Cert(new Uint8Array(x.rawData)), key: KeyObject.from(keys.privateKey) };
}

async function toCryptoKey(k: KeyObject): Promise<CryptoKey> {
  const pkcs8 = k.export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']) as Promise<CryptoKey>;
}
