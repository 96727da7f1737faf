/**
 * TSTInfo (RFC 3161 2.4.2): decoding with the @peculiar/asn1-tsp schema, Go-shaped
 * diagnostics when decoding fails, and the imprint/accuracy validation of
 * tspclient-go's TSTInfo.Validate.
 */
import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as tsp from '@peculiar/asn1-tsp';
import { TimestampError } from '../errors.js';
import { readTlv, children, content, slice, type Tlv } from '../x509/der.js';
import { bytesToBigInt } from './goformat.js';
import { TS_OID, hashFromOid } from './oids.js';

export interface MessageImprint {
  /** Hash algorithm OID. */
  hashAlgorithm: string;
  /** Full DER of the AlgorithmIdentifier parameters (usually NULL `05 00`), if present. */
  parameters?: Uint8Array;
  hashedMessage: Uint8Array;
}

export interface Accuracy {
  seconds: number;
  millis: number;
  micros: number;
}

export interface TSTInfo {
  version: number;
  policy: string;
  messageImprint: MessageImprint;
  serialNumber: bigint;
  /** genTime, millisecond precision. */
  genTime: Date;
  /** Whether genTime was written in UTC ("Z"), as RFC 3161 requires. */
  genTimeUTC: boolean;
  accuracy: Accuracy;
  ordering: boolean;
  nonce?: bigint;
}

/** The time range a timestamp vouches for (tspclient-go Timestamp). */
export interface Timestamp {
  value: Date;
  /** Accuracy in milliseconds (sub-millisecond parts rounded up). */
  accuracyMs: number;
}

const GEN_TIME_RE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{4})$/;

/** Parses a GeneralizedTime the way Go's encoding/asn1 accepts it (including its round-trip rule). */
export function parseGeneralizedTime(s: string): { date: Date; utc: boolean } {
  const m = s.match(GEN_TIME_RE);
  const bad = () => new TimestampError('TIMESTAMP_MALFORMED', `asn1: structure error: invalid GeneralizedTime ${JSON.stringify(s)}`);
  if (!m) throw bad();
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  // Go re-serialises the parsed time and refuses anything that does not come back identical.
  if (frac !== undefined && frac.endsWith('0')) throw bad();
  if (zone === '+0000' || zone === '-0000') throw bad();
  const Y = Number(y), M = Number(mo), D = Number(d), H = Number(h), Mi = Number(mi), S = Number(se);
  if (M < 1 || M > 12 || D < 1 || D > new Date(Date.UTC(Y, M, 0)).getUTCDate() || H > 23 || Mi > 59 || S > 59) throw bad();
  let ms = Date.UTC(Y, M - 1, D, H, Mi, S) + (frac ? Math.floor(Number('0.' + frac) * 1000) : 0);
  if (Y < 100) ms = new Date(ms).setUTCFullYear(Y);
  if (zone !== 'Z') {
    const off = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60000;
    ms -= zone[0] === '+' ? off : -off;
  }
  return { date: new Date(ms), utc: zone === 'Z' };
}

const GO_PARAMS_DEFAULT = 'optional:false explicit:false application:false private:false defaultValue:<nil> tag:<nil> stringType:0';

function tagInfo(t: Tlv): string {
  return `{class:${t.tag >> 6} tag:${t.tag & 0x1f} length:${t.end - t.contentStart} isCompound:${(t.tag & 0x20) !== 0}}`;
}

/**
 * Reproduces the message Go's encoding/asn1 gives when unmarshalling TSTInfo fails
 * on a required field (the reference surfaces that text verbatim). Returns
 * undefined when the walk finds nothing Go would complain about at this level.
 */
function goTstInfoDiagnostic(der: Uint8Array): string | undefined {
  if (der.length === 0) return 'asn1: syntax error: sequence truncated';
  let top: Tlv;
  try {
    top = readTlv(der, 0);
  } catch {
    return 'asn1: syntax error: data truncated';
  }
  if (top.tag !== 0x30) {
    return `asn1: structure error: tags don't match (16 vs ${tagInfo(top)}) {${GO_PARAMS_DEFAULT} timeType:0 set:false omitEmpty:false} TSTInfo @${top.contentStart}`;
  }
  // Required leading fields: [expected universal tag, compound, Go type name, timeType].
  const fields: [number, boolean, string, number][] = [
    [2, false, 'int', 0],
    [6, false, 'ObjectIdentifier', 0],
    [16, true, 'MessageImprint', 0],
    [2, false, '', 0],
    [23, false, 'Time', 24],
  ];
  const inner = der.subarray(top.contentStart, top.end);
  let off = 0;
  for (const [tag, compound, name, timeType] of fields) {
    if (off >= inner.length) return 'asn1: syntax error: sequence truncated';
    let t: Tlv;
    try {
      t = readTlv(inner, off);
    } catch {
      return 'asn1: syntax error: data truncated';
    }
    const actual = t.tag & 0x1f;
    const okTag = actual === tag || (tag === 23 && actual === 24);
    if (t.tag >> 6 !== 0 || !okTag || ((t.tag & 0x20) !== 0) !== compound) {
      return `asn1: structure error: tags don't match (${tag} vs ${tagInfo(t)}) {${GO_PARAMS_DEFAULT} timeType:${timeType} set:false omitEmpty:false} ${name} @${t.contentStart}`;
    }
    off = t.end;
  }
  return undefined;
}

function malformed(detail: string, cause?: unknown): TimestampError {
  return new TimestampError('TIMESTAMP_MALFORMED', `cannot unmarshal TSTInfo from timestamp token: ${detail}`, { cause });
}

/** Decodes TSTInfo DER (the eContent of a timestamp token). Throws TIMESTAMP_MALFORMED. */
export function parseTSTInfo(der: Uint8Array): TSTInfo {
  const diag = goTstInfoDiagnostic(der);
  if (diag) throw malformed(diag);
  let info: tsp.TSTInfo;
  try {
    info = AsnConvert.parse(der, tsp.TSTInfo);
  } catch (e) {
    throw malformed(`asn1: structure error: ${(e as Error).message}`, e);
  }
  try {
    const top = readTlv(der, 0);
    const f = children(der, top);
    const imprint = children(der, f[2]);
    const alg = children(der, imprint[0]);
    const genTimeStr = Buffer.from(content(der, f[4])).toString('latin1');
    const gt = parseGeneralizedTime(genTimeStr);
    const version = Number(bytesToBigInt(content(der, f[0])));
    const acc = info.accuracy;
    return {
      version,
      policy: info.policy,
      messageImprint: {
        hashAlgorithm: info.messageImprint.hashAlgorithm.algorithm,
        parameters: alg[1] ? slice(der, alg[1]) : undefined,
        hashedMessage: new Uint8Array(info.messageImprint.hashedMessage.buffer),
      },
      serialNumber: bytesToBigInt(new Uint8Array(info.serialNumber)),
      genTime: gt.date,
      genTimeUTC: gt.utc,
      accuracy: { seconds: acc?.seconds ?? 0, millis: acc?.millis ?? 0, micros: acc?.micros ?? 0 },
      ordering: info.ordering,
      nonce: info.nonce ? bytesToBigInt(new Uint8Array(info.nonce)) : undefined,
    };
  } catch (e) {
    if (e instanceof TimestampError) throw malformed(e.message, e);
    throw malformed(`asn1: structure error: ${(e as Error).message}`, e);
  }
}

function tstInfoError(code: string, msg: string): TimestampError {
  return new TimestampError(code, `invalid TSTInfo: ${msg}`);
}

/**
 * tspclient-go TSTInfo.Validate: version 1, a SHA-2 imprint equal to the hash of
 * `message`, and the accuracy window (1 s for the baseline policy without accuracy).
 */
export function validateTSTInfo(info: TSTInfo, message: Uint8Array): Timestamp {
  if (info.version !== 1) throw tstInfoError('TIMESTAMP_MALFORMED', `timestamp token info version must be 1, but got ${info.version}`);
  const hash = hashFromOid(info.messageImprint.hashAlgorithm);
  if (!hash) throw tstInfoError('TIMESTAMP_UNSUPPORTED_HASH', `unrecognized hash algorithm: ${info.messageImprint.hashAlgorithm}`);
  const digest = createHash(hash).update(message).digest();
  if (!digest.equals(Buffer.from(info.messageImprint.hashedMessage))) throw tstInfoError('TIMESTAMP_IMPRINT_MISMATCH', 'mismatched message');
  const { seconds, millis, micros } = info.accuracy;
  let accuracyMs: number;
  if (seconds === 0 && millis === 0 && micros === 0 && info.policy === TS_OID.baselineTimestampPolicy) accuracyMs = 1000;
  else accuracyMs = seconds * 1000 + millis + Math.ceil(micros / 1000);
  return { value: info.genTime, accuracyMs };
}

/** [genTime − accuracy, genTime + accuracy]. */
export function timestampRange(ts: Timestamp): [Date, Date] {
  return [new Date(ts.value.getTime() - ts.accuracyMs), new Date(ts.value.getTime() + ts.accuracyMs)];
}
