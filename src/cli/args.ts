/**
 * A small pflag-compatible argument parser: `--name value`, `--name=value`,
 * `-n value`, `-nvalue`, bool flags, repeatable flags, `--` ends flags. Errors use
 * cobra's wording so scripts that parse notation's errors keep working.
 */
import { UsageError } from '../errors.js';

export interface FlagSpec {
  name: string;
  short?: string;
  type: 'string' | 'bool' | 'strings' | 'int';
  /** Shown in help. */
  usage: string;
  default?: string | boolean | number;
  /** Placeholder for help output. */
  value?: string;
  hidden?: boolean;
}

export type FlagValues = Record<string, string | boolean | string[] | number | undefined>;

export interface Parsed {
  flags: FlagValues;
  /** Flags given explicitly on the command line. */
  changed: Set<string>;
  args: string[];
}

export function parseArgs(argv: string[], specs: FlagSpec[]): Parsed {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const flags: FlagValues = {};
  const changed = new Set<string>();
  for (const s of specs) if (s.default !== undefined) flags[s.name] = s.default;
  for (const s of specs) if (s.type === 'strings' && flags[s.name] === undefined) flags[s.name] = [];
  const args: string[] = [];

  const set = (s: FlagSpec, raw: string | undefined, flagText: string) => {
    changed.add(s.name);
    if (s.type === 'bool') {
      if (raw === undefined || raw === 'true') flags[s.name] = true;
      else if (raw === 'false') flags[s.name] = false;
      else throw new UsageError('INVALID_FLAG_VALUE', `invalid argument "${raw}" for "${flagText}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`);
      return;
    }
    if (raw === undefined) throw new UsageError('FLAG_NEEDS_ARGUMENT', `flag needs an argument: ${flagText}`);
    if (s.type === 'strings') (flags[s.name] as string[]).push(raw);
    else if (s.type === 'int') {
      if (!/^-?\d+$/.test(raw)) throw new UsageError('INVALID_FLAG_VALUE', `invalid argument "${raw}" for "${flagText}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`);
      flags[s.name] = Number(raw);
    } else flags[s.name] = raw;
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const s = byName.get(name);
      if (!s) throw new UsageError('UNKNOWN_FLAG', `unknown flag: --${name}`);
      let raw = eq >= 0 ? a.slice(eq + 1) : undefined;
      if (raw === undefined && s.type !== 'bool') raw = argv[++i];
      set(s, raw, `--${name}`);
    } else if (a.startsWith('-') && a.length > 1) {
      const c = a[1];
      const s = byShort.get(c);
      if (!s) throw new UsageError('UNKNOWN_FLAG', `unknown shorthand flag: '${c}' in ${a}`);
      let raw: string | undefined = a.length > 2 ? a.slice(2).replace(/^=/, '') : undefined;
      if (s.type === 'bool' && raw !== undefined && raw !== 'true' && raw !== 'false') {
        // Combined short bool flags like -dv.
        set(s, undefined, `-${c}`);
        i--;
        argv = [...argv.slice(0, i + 1), `-${raw}`, ...argv.slice(i + 2)];
        continue;
      }
      if (raw === undefined && s.type !== 'bool') raw = argv[++i];
      set(s, raw, `-${c}, --${s.name}`);
    } else args.push(a);
  }
  return { flags, changed, args };
}

/** Parses `k=v` entries of a repeated flag into a map (notation's ParseFlagMap). */
export function parseFlagMap(entries: string[], flagName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const i = e.indexOf('=');
    const k = i < 0 ? '' : e.slice(0, i);
    const v = i < 0 ? '' : e.slice(i + 1);
    if (i < 0 || k === '' || v === '') throw new UsageError('INVALID_FLAG_MAP', `could not parse flag ${flagName}: key-value pair requires "=" as separator`);
    out[k] = v;
  }
  return out;
}
