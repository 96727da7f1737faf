/**
 * docs/errors.md lists every error code in src/: it must be exactly what
 * scripts/error-codes.mjs generates from the source, so adding a code without
 * regenerating the table (`node scripts/error-codes.mjs`) fails here.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs script without type declarations
import { collectErrorCodes, renderErrorsMarkdown } from '../scripts/error-codes.mjs';

interface CodeEntry {
  code: string;
  classes: Set<string>;
  messages: string[];
  meaning?: string;
}
interface Collected {
  codes: CodeEntry[];
  lint: { code: string; meaning?: string }[];
}
const collect = collectErrorCodes as (srcDir?: string) => Collected;
const render = renderErrorsMarkdown as (c: Collected) => string;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const doc = () => readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');

function srcFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? srcFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('docs/errors.md', () => {
  const collected = collect();
  const byCode = new Map(collected.codes.map((c) => [c.code, c]));

  it('is up to date with the codes in src/ (run `node scripts/error-codes.mjs`)', () => {
    const documented = new Set([...doc().matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
    const missing = [...collected.codes, ...collected.lint].map((c) => c.code).filter((c) => !documented.has(c));
    expect(missing, 'codes in src/ missing from docs/errors.md').to.deep.equal([]);
    expect(doc()).to.equal(render(collected));
  });

  it('finds codes of every kind of definition, with their class', () => {
    const expectations: Record<string, string> = {
      BLOB_MISMATCH: 'VerificationFailedError', // new X('CODE', ...)
      CERTIFICATE_REVOKED: 'RevocationError', // RevocationCode table
      OCSP_TIMEOUT: 'RevocationError', // revErr(C.OCSP_TIMEOUT, ...) through an import alias
      TRUST_POLICY_MALFORMED: 'TrustPolicyError', // TP table
      CHAIN_EMPTY: 'CertificateError', // CertificateErrorCode table
      PKCS11_PIN_INCORRECT: 'Pkcs11Error',
      SIGNATURE_INVALID: 'SignatureIntegrityError', // INTEGRITY_CODES array
      PLUGIN_THROTTLED: 'PluginError', // PLUGIN_<contract code>
      INVALID_ARGUMENT: 'SigningError', // fail('CODE', ...) helper
      DN_MULTI_VALUED_RDN: 'TrustPolicyError',
      TOKEN_REQUIRED: 'NotationError', // a ternary code
    };
    for (const [code, cls] of Object.entries(expectations)) {
      expect(byCode.get(code), code).to.not.equal(undefined);
      expect([...byCode.get(code)!.classes], code).to.include(cls);
    }
    expect(byCode.get('OCSP_TIMEOUT')!.messages[0]).to.equal('exceeded timeout threshold of … seconds for OCSP check');
    expect(collected.lint.map((l) => l.code)).to.include('TRUST_POLICY_LEGACY_FILE');
  });

  it('every UPPER_SNAKE string literal in src/ that names an error is in the table', () => {
    const known = new Set([...collected.codes, ...collected.lint].map((c) => c.code));
    const notCodes = /^(?:CK[A-Z]_\w+|NOTATION_\w+|XDG_\w+|DOCKER_\w+|ERR_\w+|RSA_PKCS_PSS|NAME_UNKNOWN|ACCESS_DENIED)$/;
    const stray: string[] = [];
    for (const f of srcFiles(join(ROOT, 'src'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)) {
        if (!known.has(m[1]!) && !notCodes.test(m[1]!)) stray.push(`${m[1]} (${f.slice(ROOT.length)})`);
      }
    }
    expect(stray).to.deep.equal([]);
  });

  it('picks up a code added in a new module', () => {
    const dir = mkdtempSync(join(tmpdir(), 'errcodes-'));
    try {
      mkdirSync(join(dir, 'widget'));
      writeFileSync(
        join(dir, 'widget', 'index.ts'),
        [
          "import { PluginError } from '../errors.js';",
          'export const WidgetCode = {',
          '  /** The widget is broken. */',
          "  broken: 'WIDGET_BROKEN',",
          '} as const;',
          'function oops(code: string, msg: string) {',
          '  return new PluginError(code, msg);',
          '}',
          "export const a = () => oops('WIDGET_OOPS', `widget ${1} failed`);",
          "export const b = () => new PluginError(WidgetCode.broken, 'broken widget');",
        ].join('\n'),
      );
      const c = collect(dir);
      const got = new Map(c.codes.map((e) => [e.code, e]));
      expect([...got.keys()].sort()).to.deep.equal(['WIDGET_BROKEN', 'WIDGET_OOPS']);
      expect([...got.get('WIDGET_OOPS')!.classes]).to.deep.equal(['PluginError']);
      expect(got.get('WIDGET_OOPS')!.messages).to.deep.equal(['widget … failed']);
      expect(got.get('WIDGET_BROKEN')!.meaning).to.equal('The widget is broken.');
      expect([...got.get('WIDGET_BROKEN')!.classes]).to.deep.equal(['PluginError']);
      expect(render(c)).to.include('| `WIDGET_BROKEN` | PluginError |');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
