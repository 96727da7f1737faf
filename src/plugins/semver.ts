/**
 * SemVer 2.0.0 validation and precedence, as notation compares plugin versions
 * (the official SemVer regex, no leading "v"; build metadata ignored).
 */
import { PluginError } from '../errors.js';
import { PluginErrorCodes } from './errors.js';

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Longest version string we look at (metadata comes from an untrusted process). */
const MAX_VERSION_LENGTH = 256;

export function isValidSemver(v: string): boolean {
  return typeof v === 'string' && v.length <= MAX_VERSION_LENGTH && SEMVER.test(v);
}

function cmpNumeric(a: string, b: string): number {
  // No leading zeros (regex), so longer means larger.
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpPrerelease(a: string | undefined, b: string | undefined): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    let c: number;
    if (xn && yn) c = cmpNumeric(x, y);
    else if (xn) c = -1;
    else if (yn) c = 1;
    else c = x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
}

/** Precedence of two valid versions: -1, 0 or 1. Throws PLUGIN_INVALID_VERSION otherwise. */
export function comparePluginVersion(v: string, w: string): -1 | 0 | 1 {
  for (const x of [v, w]) {
    if (!isValidSemver(x)) throw new PluginError(PluginErrorCodes.invalidVersion, `${x} is not a valid semantic version`);
  }
  const a = SEMVER.exec(v)!;
  const b = SEMVER.exec(w)!;
  for (let i = 1; i <= 3; i++) {
    const c = cmpNumeric(a[i]!, b[i]!);
    if (c !== 0) return c as -1 | 1;
  }
  return cmpPrerelease(a[4], b[4]) as -1 | 0 | 1;
}

/**
 * Throws PLUGIN_VERSION_TOO_OLD with notation's message when `version` is below
 * `minVersion`. `pluginName` is the name the signature asks for.
 */
export function assertMinVersion(pluginName: string, version: string, minVersion: string): void {
  if (comparePluginVersion(version, minVersion) < 0) {
    throw new PluginError(
      PluginErrorCodes.versionTooOld,
      `found plugin ${pluginName} with version ${version} but signature verification needs plugin version greater than or equal to ${minVersion}`,
    );
  }
}
