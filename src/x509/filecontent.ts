/**
 * Certificates from the bytes of a certificate file, exactly as
 * notation-core-go's ReadCertificateFile reads them: if Go's pem.Decode finds
 * a PEM block, every block (whatever its type) must be a certificate;
 * otherwise the bytes are one or more concatenated DER certificates. Empty
 * input gives an empty list, as in Go (callers decide whether that is an error).
 */
import { CertificateError } from '../errors.js';
import { Certificate } from './certificate.js';
import { readTlv } from './der.js';

/** Most certificates we take from one file (a large CA bundle holds a few hundred). */
export const MAX_CERTIFICATES_PER_FILE = 1000;

export interface PemBlock {
  type: string;
  bytes: Uint8Array;
}

/** Splits off one line: the text before `\n` with trailing spaces, tabs and CRs trimmed, and the rest. */
function getLine(s: string): [string, string] {
  const i = s.indexOf('\n');
  const line = i < 0 ? s : s.slice(0, i);
  const rest = i < 0 ? '' : s.slice(i + 1);
  return [line.replace(/[ \t\r]+$/, ''), rest];
}

// Go's base64.StdEncoding, which skips CR and LF; spaces and tabs are removed beforehand.
function decodeBase64Strict(s: string): Uint8Array | undefined {
  const b = s.replace(/[\r\n \t]/g, '');
  if (b.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b)) return undefined;
  return Buffer.from(b, 'base64');
}

/** Go's encoding/pem Decode on a latin1 view of the bytes: the next valid block and the text after it. */
export function pemDecode(text: string): { block: PemBlock; rest: string } | undefined {
  let rest = text;
  for (;;) {
    if (rest.startsWith('-----BEGIN ')) rest = rest.slice('-----BEGIN '.length);
    else {
      const i = rest.indexOf('\n-----BEGIN ');
      if (i < 0) return undefined;
      rest = rest.slice(i + '\n-----BEGIN '.length);
    }
    let typeLine: string;
    [typeLine, rest] = getLine(rest);
    if (!typeLine.endsWith('-----')) continue;
    const type = typeLine.slice(0, -5);
    let headers = 0;
    let truncated = false;
    for (;;) {
      if (rest.length === 0) {
        truncated = true;
        break;
      }
      const [line, next] = getLine(rest);
      if (!line.includes(':')) break;
      headers++;
      rest = next;
    }
    if (truncated) return undefined;
    let endIndex: number;
    let endTrailerIndex: number;
    if (headers === 0 && rest.startsWith('-----END ')) {
      endIndex = 0;
      endTrailerIndex = '-----END '.length;
    } else {
      endIndex = rest.indexOf('\n-----END ');
      endTrailerIndex = endIndex + '\n-----END '.length;
    }
    if (endIndex < 0) continue;
    const trailerLen = type.length + 5;
    const afterEnd = rest.slice(endTrailerIndex);
    if (afterEnd.length < trailerLen) continue;
    const trailer = afterEnd.slice(0, trailerLen);
    if (!trailer.startsWith(type) || !trailer.endsWith('-----')) continue;
    if (getLine(afterEnd.slice(trailerLen))[0].length !== 0) continue;
    const bytes = decodeBase64Strict(rest.slice(0, endIndex));
    if (!bytes) continue;
    const [, after] = getLine(rest.slice(endIndex + '\n-----END '.length - 1));
    return { block: { type, bytes }, rest: after };
  }
}

function malformed(cause: unknown): CertificateError {
  return new CertificateError('MALFORMED_CERTIFICATE', 'x509: malformed certificate', { cause });
}

function tooMany(): CertificateError {
  return new CertificateError('TOO_MANY_CERTIFICATES', `more than ${MAX_CERTIFICATES_PER_FILE} certificates in one file`);
}

/** Parses certificate file content (PEM blocks or concatenated DER) with Go's rules. */
export function parseCertificateFileContent(data: Uint8Array): Certificate[] {
  const certs: Certificate[] = [];
  let text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  let d = pemDecode(text);
  if (!d) {
    let p = 0;
    while (p < data.length) {
      if (certs.length >= MAX_CERTIFICATES_PER_FILE) throw tooMany();
      let end: number;
      try {
        const t = readTlv(data, p);
        if (t.tag !== 0x30) throw new Error('not a SEQUENCE');
        end = t.end;
      } catch (e) {
        throw malformed(e);
      }
      try {
        certs.push(new Certificate(data.subarray(p, end)));
      } catch (e) {
        throw malformed(e);
      }
      p = end;
    }
    return certs;
  }
  while (d) {
    if (certs.length >= MAX_CERTIFICATES_PER_FILE) throw tooMany();
    try {
      certs.push(new Certificate(d.block.bytes));
    } catch (e) {
      throw malformed(e);
    }
    text = d.rest;
    d = pemDecode(text);
  }
  return certs;
}
