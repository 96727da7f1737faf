#!/usr/bin/env node
// Generates docs/errors.md, the table of every stable error `code` notation-ts throws,
// from the source: `new XError('CODE', ...)` calls, calls of helpers that wrap such a
// constructor (`fail('CODE', ...)`, `revErr(RevocationCode.X, ...)`), and the code
// tables (`export const X = { key: 'CODE' } as const` / `[ 'CODE' ] as const`).
//
//   node scripts/error-codes.mjs           rewrite docs/errors.md
//   node scripts/error-codes.mjs --check   exit 1 when docs/errors.md is out of date
//
// test/errors-doc.test.ts runs the check, so a new code cannot ship undocumented.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]{4,}$/;

/**
 * UPPER_SNAKE literals that are not our error codes: PKCS#11 constant names, environment
 * variables, Node's own error codes, protocol values we read from other programs.
 */
const NOT_CODES = /^(?:CK[A-Z]_\w+|NOTATION_\w+|XDG_\w+|DOCKER_\w+|ERR_\w+|RSA_PKCS_PSS|NAME_UNKNOWN|ACCESS_DENIED)$/;

/** Code tables whose class cannot be read from a constructor call next to the code. */
const TABLES = {
  TP: { class: 'TrustPolicyError' },
  RevocationCode: { class: 'RevocationError' },
  CertificateErrorCode: { class: 'CertificateError' },
  TrustStoreErrorCode: { class: 'TrustStoreError' },
  Pkcs11ErrorCodes: { class: 'Pkcs11Error' },
  PluginErrorCodes: { class: 'PluginError' },
  INTEGRITY_CODES: { class: 'SignatureIntegrityError' },
  DN_ERROR: { class: 'TrustPolicyError' },
  PLUGIN_ERROR_CODES: { class: 'PluginError', prefix: 'PLUGIN_', meaning: (c) => `the plugin reported errorCode ${c} in its error JSON` },
  LINT_CODE: {
    class: 'policy lint',
    lint: true,
    meaning: (c) =>
      ({
        TRUST_POLICY_LEGACY_FILE: 'only the notation v1 file name trustpolicy.json exists (warning: rename it to trustpolicy.oci.json)',
        TRUST_POLICY_LEGACY_FILE_IGNORED: 'trustpolicy.json is ignored because trustpolicy.oci.json exists',
        TRUST_POLICY_TRAILING_DATA: 'content after the JSON document: ignored when verifying, refused by `policy import` and `show`',
      })[c],
  },
};

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

/** The text of a string or template literal starting at `s[i]`, `${...}` shown as `…`. */
function literalAt(s, i) {
  const q = s[i];
  if (q !== "'" && q !== '"' && q !== '`') return undefined;
  let out = '';
  for (let j = i + 1; j < s.length && j < i + 2000; j++) {
    const c = s[j];
    if (c === '\\') {
      const n = s[++j];
      out += n === 'n' ? ' ' : n;
    } else if (c === q) return out;
    else if (q === '`' && c === '$' && s[j + 1] === '{') {
      let depth = 0;
      for (; j < s.length; j++) {
        if (s[j] === '{') depth++;
        else if (s[j] === '}' && --depth === 0) break;
      }
      out += '…';
    } else out += c;
  }
  return undefined;
}

/** The message argument after the code argument ending at `i` (first literal found). */
function messageAfter(s, i, strict = false) {
  const m = /^\s*,\s*/.exec(s.slice(i, i + 50));
  if (!m) return undefined;
  const j = i + m[0].length;
  const lit = literalAt(s, j);
  if (lit !== undefined || strict) return lit;
  // `prefix + literal` or a helper call: take the first literal within the argument.
  const rest = s.slice(j, j + 300);
  const k = rest.search(/['"`]/);
  return k >= 0 && !/[;{}]/.test(rest.slice(0, k)) ? literalAt(s, j + k) : undefined;
}

/** JSDoc or line comment right above position `i`. */
function commentAbove(s, i) {
  const before = s.slice(Math.max(0, i - 600), i);
  const lines = before.split('\n');
  lines.pop(); // the line of `i` itself
  const doc = [];
  for (let k = lines.length - 1; k >= 0; k--) {
    const l = lines[k].trim();
    if (l.startsWith('//') || l.startsWith('*') || l.startsWith('/**')) {
      doc.unshift(l.replace(/^\/\*\*|\*\/$|^\*|^\/\//g, '').trim());
      if (l.startsWith('/**') || l.startsWith('//')) {
        if (l.startsWith('/**')) break;
      }
    } else break;
  }
  const text = doc.filter(Boolean).join(' ').replace(/\*\/$/, '').trim();
  return text || undefined;
}

export function collectErrorCodes(srcDir = join(ROOT, 'src')) {
  const files = walk(srcDir).map((f) => ({ file: f, rel: relative(srcDir, f), text: readFileSync(f, 'utf8') }));
  /** code -> { classes:Set, files:Set, messages:[], meaning } */
  const codes = new Map();
  const lint = new Map();
  const add = (code, cls, rel, message, meaning) => {
    if (!CODE.test(code)) return;
    let e = codes.get(code);
    if (!e) codes.set(code, (e = { code, classes: new Set(), files: new Set(), messages: [], meaning: undefined }));
    if (cls) e.classes.add(cls);
    e.files.add(rel.replace(/\.ts$/, '').replace(/\/index$/, ''));
    if (message && !e.messages.includes(message)) e.messages.push(message);
    if (meaning && !e.meaning) e.meaning = meaning;
  };

  // Helpers: functions/methods whose first parameter is passed as the code to `new XError(`.
  const helpers = new Map(); // name -> Map(file -> class)
  for (const { rel, text } of files) {
    for (const m of text.matchAll(/return new (\w+Error)\((\w+)\s*,/g)) {
      const before = text.slice(Math.max(0, m.index - 500), m.index);
      const decls = [...before.matchAll(/(?:function\s+|\n\s*(?:private |static |protected |public )*)(\w+)\s*\(\s*(\w+)\s*[:,)]/g)];
      const d = decls[decls.length - 1];
      if (!d || d[2] !== m[2] || ['if', 'for', 'while', 'switch', 'return'].includes(d[1])) continue;
      if (!helpers.has(d[1])) helpers.set(d[1], new Map());
      helpers.get(d[1]).set(rel, m[1]);
    }
  }
  const helperClass = (name, rel) => {
    const h = helpers.get(name);
    if (!h) return undefined;
    if (h.has(rel)) return h.get(rel);
    const classes = new Set(h.values());
    return classes.size === 1 ? [...classes][0] : undefined;
  };

  // Tables.
  const tables = new Map(); // table name -> { key -> code }
  for (const { rel, text } of files) {
    for (const m of text.matchAll(/export const (\w+) = (\{|\[)([\s\S]*?)(?:\}|\]) as const;/g)) {
      const name = m[1];
      const entries = m[2] === '{' ? [...m[3].matchAll(/(\w+):\s*'([^']+)'/g)].map((x) => [x[1], x[2], x.index]) : [...m[3].matchAll(/'([^']+)'/g)].map((x) => [x[1], x[1], x.index]);
      if (!entries.length || !entries.every(([, c]) => CODE.test(c))) continue;
      // Unknown tables still count: their codes get the class of the constructors using them.
      const cfg = TABLES[name] ?? {};
      const keys = {};
      const bodyStart = m.index + m[0].indexOf(m[3]);
      for (const [key, code, at] of entries) {
        const full = (cfg.prefix ?? '') + code;
        keys[key] = full;
        const meaning = cfg.meaning ? cfg.meaning(code) : commentAbove(text, bodyStart + at);
        if (cfg.lint) {
          lint.set(full, { code: full, meaning });
          continue;
        }
        add(full, undefined, rel, undefined, meaning);
        if (cfg.class) codes.get(full).tableClass = cfg.class;
      }
      tables.set(name, keys);
    }
  }

  // Call sites.
  for (const { rel, text } of files) {
    const aliases = new Map(); // local alias -> table
    for (const [t] of tables) aliases.set(t, t);
    for (const m of text.matchAll(/const (\w+) = (\w+);/g)) if (tables.has(m[2])) aliases.set(m[1], m[2]);
    for (const m of text.matchAll(/\b(\w+) as (\w+)\b/g)) if (tables.has(m[1])) aliases.set(m[2], m[1]);
    const codeArg = String.raw`(?:'([A-Z][A-Z0-9_]+)'|(\w+)\.(\w+)|[^,'()\n]*\?\?\s*'([A-Z][A-Z0-9_]+)')`;
    const re = new RegExp(String.raw`(?:new\s+(\w+Error)|(?:this\.|\b)(\w+))\(\s*` + codeArg, 'g');
    for (const m of text.matchAll(re)) {
      const cls = m[1] ?? helperClass(m[2], rel);
      if (!cls) continue;
      let code = m[3] ?? m[6];
      if (!code && m[4] && aliases.has(m[4])) code = tables.get(aliases.get(m[4]))[m[5]];
      if (!code) continue;
      add(code, cls, rel, messageAfter(text, m.index + m[0].length));
    }
  }
  // Sweep: every other UPPER_SNAKE literal is a code set indirectly (a variable, a ternary,
  // a default parameter, `super('CODE', ...)`). Its class is read from the line or the
  // next constructor below it.
  for (const { rel, text } of files) {
    const lines = text.split('\n');
    lines.forEach((line, n) => {
      for (const m of line.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)) {
        const code = m[1];
        if (codes.has(code) || lint.has(code) || NOT_CODES.test(code) || line.trim().startsWith('//') || line.trim().startsWith('*')) continue;
        let cls;
        const direct = /new (\w+Error)\(/.exec(line);
        if (direct) cls = direct[1];
        else if (/\bsuper\(/.test(line)) {
          const decl = [...lines.slice(0, n).join('\n').matchAll(/class (\w+) extends/g)].pop();
          cls = decl?.[1];
        } else {
          for (const h of line.matchAll(/(\w+)\(/g)) cls ??= helperClass(h[1], rel);
          for (let k = n + 1; !cls && k < Math.min(lines.length, n + 15); k++) {
            const below = /new (\w+Error)\(/.exec(lines[k]);
            if (below) cls = below[1];
            else for (const h of lines[k].matchAll(/(\w+)\(/g)) cls ??= helperClass(h[1], rel);
          }
        }
        add(code, cls ?? 'NotationError', rel, messageAfter(line, m.index + m[0].length, true));
      }
    });
  }
  for (const e of codes.values()) if (e.classes.size === 0 && e.tableClass) e.classes.add(e.tableClass);
  return { codes: [...codes.values()].sort((a, b) => a.code.localeCompare(b.code)), lint: [...lint.values()] };
}

const esc = (s) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

export function renderErrorsMarkdown({ codes, lint }) {
  const out = [];
  out.push('# Error codes');
  out.push('');
  out.push('Every error notation-ts throws for bad input or a failed check is a `NotationError`');
  out.push('subclass with a stable `code` (UPPER_SNAKE). Codes never change when a message does, so');
  out.push('match on `code` (or on the class with `instanceof`), not on the message:');
  out.push('');
  out.push('```text');
  out.push("try { await verify({...}) } catch (e) { if (e instanceof NotationError && e.code === 'CERTIFICATE_REVOKED') ... }");
  out.push('```');
  out.push('');
  out.push('The CLI prints the message (`Error: ...`) and exits with 1. The classes are exported by');
  out.push('`notation-ts` (`src/errors.ts`; `Pkcs11Error` and `Pkcs11SigningError` extend `PluginError`');
  out.push('and `SigningError`). Messages reuse the Go notation\'s text where one exists; `…` marks a');
  out.push('variable part. Wrapping errors keep the code of the error they wrap.');
  out.push('');
  out.push('This file is generated from the source by `node scripts/error-codes.mjs`;');
  out.push('`test/errors-doc.test.ts` fails when it is out of date.');
  out.push('');
  out.push(`## Codes (${codes.length})`);
  out.push('');
  out.push('| code | class | where | meaning or typical message |');
  out.push('|---|---|---|---|');
  for (const e of codes) {
    const text = e.meaning ?? (e.messages[0] !== undefined ? `"${e.messages[0]}"` : '');
    const msg = e.meaning && e.messages[0] ? `${e.meaning.replace(/\.$/, '')}; e.g. "${e.messages[0]}"` : text;
    out.push(`| \`${e.code}\` | ${[...e.classes].sort().join(', ')} | ${[...e.files].sort().slice(0, 3).join(', ')}${e.files.size > 3 ? ', …' : ''} | ${esc(msg.length > 300 ? msg.slice(0, 297) + '…' : msg)} |`);
  }
  out.push('');
  out.push('## `policy lint` problem codes');
  out.push('');
  out.push('`policy lint` reports each problem with the code of the error verification would raise');
  out.push('(the `TRUST_POLICY_*`, `TRUST_STORE_*` and `DN_*` codes above), plus these:');
  out.push('');
  out.push('| code | meaning |');
  out.push('|---|---|');
  for (const l of lint) out.push(`| \`${l.code}\` | ${esc(l.meaning ?? '')} |`);
  out.push('');
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const md = renderErrorsMarkdown(collectErrorCodes());
  const target = join(ROOT, 'docs', 'errors.md');
  if (process.argv.includes('--check')) {
    let cur = '';
    try {
      cur = readFileSync(target, 'utf8');
    } catch {
      // missing: out of date
    }
    if (cur !== md) {
      console.error('docs/errors.md is out of date: run `node scripts/error-codes.mjs`');
      process.exit(1);
    }
  } else {
    writeFileSync(target, md);
    console.log(`wrote ${relative(ROOT, target)}`);
  }
}
