/**
 * A real RFC 3161 TSA for tests: `openssl ts -reply` behind a node HTTP server on
 * 127.0.0.1 (ephemeral port), with its own root and TSA certificate (critical
 * timeStamping EKU) generated per run in a temp dir. Fault modes let tests make
 * it misbehave (wrong nonce or imprint, rejection, garbage, non-UTC genTime,
 * HTTP errors, hanging).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as cms from '@peculiar/asn1-cms';
import * as tsp from '@peculiar/asn1-tsp';
import { readTlv, children, slice } from '../../src/x509/der.js';

const run = promisify(execFile);

export type TsaMode =
  | 'ok'
  | 'wrong-nonce'
  | 'wrong-imprint'
  | 'rejection'
  | 'garbage'
  | 'non-utc'
  | 'http-500'
  | 'wrong-content-type'
  | 'oversized'
  | 'hang';

export interface TsaOptions {
  mode?: TsaMode;
  /** TSA key: RSA-2048 (default) or EC P-256. */
  key?: 'rsa' | 'ec';
  /** Make the TSA leaf EKU non-critical (a rule violation; openssl ts then refuses to sign, so the TSA answers 500). */
  nonCriticalEku?: boolean;
  /** Sign with an existing TSA certificate instead of a generated PKI (e.g. one with CRL/OCSP URLs). */
  signer?: { certPath: string; keyPath: string; /** PEM files put in the token's certificates (issuers, root last). */ chainPaths: string[] };
}

export interface Tsa {
  url: string;
  rootCertPem: string;
  tsaCertPem: string;
  /** Number of requests served. */
  readonly requests: number;
  setMode(mode: TsaMode): void;
  stop(): Promise<void>;
}

function lenBytes(len: number): number[] {
  if (len < 0x80) return [len];
  const out: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) out.unshift(l & 0xff);
  return [0x80 | out.length, ...out];
}
function tlv(tag: number, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag, ...lenBytes(body.length)]), body]);
}

/** Rewrites the TSTInfo of a granted response with `edit` (the signature then no longer matches, on purpose). */
function editTstInfo(respDer: Uint8Array, edit: (fields: Buffer[]) => void): Buffer {
  const resp = AsnConvert.parse(respDer, tsp.TimeStampResp);
  const ci = resp.timeStampToken!;
  const sd = AsnConvert.parse(ci.content, cms.SignedData);
  const tst = new Uint8Array(sd.encapContentInfo.eContent!.single!.buffer);
  const top = readTlv(tst, 0);
  const fields = children(tst, top).map((t) => Buffer.from(slice(tst, t)));
  edit(fields);
  sd.encapContentInfo.eContent!.single = new OctetString(tlv(0x30, Buffer.concat(fields)));
  ci.content = AsnConvert.serialize(sd);
  return Buffer.from(AsnConvert.serialize(resp));
}

/** Rewrites fields of a TimeStampReq (so openssl answers for a request other than the client's). */
function editRequest(reqDer: Uint8Array, edit: (r: tsp.TimeStampReq) => void): Buffer {
  const r = AsnConvert.parse(reqDer, tsp.TimeStampReq);
  edit(r);
  return Buffer.from(AsnConvert.serialize(r));
}

export async function startTsa(opts: TsaOptions = {}): Promise<Tsa> {
  const dir = mkdtempSync(join(tmpdir(), 'notation-ts-tsa-'));
  const p = (f: string) => join(dir, f);
  const keyAlg = opts.key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  writeFileSync(
    p('ext.cnf'),
    [
      '[v3_tsa]',
      'basicConstraints = CA:FALSE',
      'keyUsage = critical, digitalSignature',
      `extendedKeyUsage = ${opts.nonCriticalEku ? '' : 'critical, '}timeStamping`,
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      '',
    ].join('\n'),
  );
  if (opts.signer) {
    writeFileSync(p('tsa.crt'), readFileSync(opts.signer.certPath));
    writeFileSync(p('tsa.key'), readFileSync(opts.signer.keyPath));
    writeFileSync(p('root.crt'), Buffer.concat(opts.signer.chainPaths.map((f) => readFileSync(f))));
  } else {
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('root.key'), '-out', p('root.crt'), '-subj', '/C=US/O=notation-ts tests/CN=Test TSA Root', '-days', '3650',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    await run('openssl', ['req', '-new', ...keyAlg, '-nodes', '-keyout', p('tsa.key'), '-out', p('tsa.csr'), '-subj', '/C=US/O=notation-ts tests/CN=Test TSA']);
    await run('openssl', ['x509', '-req', '-in', p('tsa.csr'), '-CA', p('root.crt'), '-CAkey', p('root.key'), '-set_serial', '2', '-out', p('tsa.crt'), '-days', '365', '-extfile', p('ext.cnf'), '-extensions', 'v3_tsa']);
  }
  writeFileSync(p('tsaserial'), '01\n');
  writeFileSync(
    p('tsa.cnf'),
    [
      '[ tsa ]',
      'default_tsa = tsa_config1',
      '[ tsa_config1 ]',
      `dir = ${dir}`,
      'serial = $dir/tsaserial',
      'crypto_device = builtin',
      'signer_cert = $dir/tsa.crt',
      'certs = $dir/root.crt',
      'signer_key = $dir/tsa.key',
      'signer_digest = sha256',
      'default_policy = 1.2.3.4.1',
      'other_policies = 1.2.3.4.5.6',
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ordering = yes',
      'tsa_name = yes',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );

  let mode: TsaMode = opts.mode ?? 'ok';
  let requests = 0;
  let seq = 0;
  const sockets = new Set<Socket>();

  const reply = async (query: Buffer): Promise<Buffer> => {
    const n = ++seq;
    let q = query;
    if (mode === 'wrong-nonce') q = editRequest(q, (r) => (r.nonce = new Uint8Array([0x01, 0x02, 0x03]).buffer));
    if (mode === 'wrong-imprint') q = editRequest(q, (r) => (r.messageImprint.hashedMessage = new OctetString(new Uint8Array(r.messageImprint.hashedMessage.byteLength).fill(7))));
    writeFileSync(p(`q${n}.der`), q);
    // Serialise openssl runs: they share the serial file.
    await run('openssl', ['ts', '-reply', '-config', p('tsa.cnf'), '-queryfile', p(`q${n}.der`), '-out', p(`r${n}.der`)]);
    let out: Buffer = readFileSync(p(`r${n}.der`));
    if (mode === 'non-utc') {
      out = editTstInfo(out, (f) => {
        const s = Buffer.from(f[4].subarray(2)).toString('latin1').replace(/(\.\d+)?Z$/, '+0100');
        f[4] = tlv(0x18, Buffer.from(s, 'latin1'));
      });
    }
    return out;
  };

  let chain = Promise.resolve();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      if (mode === 'hang') return; // never answer; stop() destroys the socket
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
        res.writeHead(400).end();
        return;
      }
      if (mode === 'http-500') {
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('boom');
        return;
      }
      if (mode === 'rejection') {
        const bits = new tsp.PKIFailureInfo(tsp.PKIFailureInfoFlags.badAlg);
        const body = AsnConvert.serialize(new tsp.TimeStampResp({ status: new tsp.PKIStatusInfo({ status: tsp.PKIStatus.rejection, failInfo: bits }) }));
        res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(Buffer.from(body));
        return;
      }
      if (mode === 'garbage') {
        res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(Buffer.from('this is not DER at all'));
        return;
      }
      if (mode === 'oversized') {
        res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(Buffer.alloc(2 * 1024 * 1024, 0x30));
        return;
      }
      const body = Buffer.concat(chunks);
      chain = chain.then(async () => {
        try {
          const out = await reply(body);
          const ct = mode === 'wrong-content-type' ? 'application/octet-stream' : 'application/timestamp-reply';
          res.writeHead(200, { 'Content-Type': ct }).end(out);
        } catch (e) {
          res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(e));
        }
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    rootCertPem: readFileSync(p('root.crt'), 'utf8'),
    tsaCertPem: readFileSync(p('tsa.crt'), 'utf8'),
    get requests() {
      return requests;
    },
    setMode(m: TsaMode) {
      mode = m;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await chain.catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
