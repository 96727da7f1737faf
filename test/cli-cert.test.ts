/** `certificate|cert add|list|show|delete`: notation's output lines and errors, file modes, store rules. */
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { run } from '../src/cli/main.js';
import { makePki, makeSelfSigned, makeTsaPki, type Pki } from './helpers/pki.js';
import { goTimeString } from '../src/x509/goformat.js';

describe('cli certificate commands', () => {
  let root: string;
  let cfg: string;
  let pki: Pki;
  const cli = (...argv: string[]) => runCli(argv, { env: { NOTATION_CONFIG: cfg }, cwd: root });
  const store = (...items: string[]) => join(cfg, 'truststore', 'x509', ...items);

  before(async () => {
    pki = await makePki({ name: 'cert-cli' });
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ntc-'));
    cfg = join(root, 'config');
    writeFileSync(join(root, 'root.crt'), pki.root.certPem);
    writeFileSync(join(root, 'inter.der'), pki.intermediate.der);
    writeFileSync(join(root, 'leaf.pem'), pki.leaf.certPem);
    writeFileSync(join(root, 'chain.pem'), pki.chainPem);
    writeFileSync(join(root, 'junk.txt'), 'not a certificate');
    writeFileSync(join(root, 'empty.pem'), '');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  describe('add', () => {
    it('copies certificates (PEM or DER) into the named store, 0600 files in 0700 dirs', async () => {
      const r = await cli('cert', 'add', '-t', 'ca', '-s', 'acme', 'root.crt', 'inter.der');
      expect(r).to.deep.equal({ code: 0, stdout: 'Successfully added following certificates to named store acme of type ca:\nroot.crt\ninter.der\n', stderr: '' });
      expect(readFileSync(store('ca', 'acme', 'root.crt'), 'utf8')).to.equal(pki.root.certPem);
      expect(Buffer.compare(readFileSync(store('ca', 'acme', 'inter.der')), Buffer.from(pki.intermediate.der))).to.equal(0);
      expect(statSync(store('ca', 'acme', 'root.crt')).mode & 0o777).to.equal(0o600);
      for (const d of [store(), store('ca'), store('ca', 'acme')]) expect(statSync(d).mode & 0o777, d).to.equal(0o700);
      expect(readdirSync(store('ca', 'acme')).sort()).to.deep.equal(['inter.der', 'root.crt']);
    });

    it('adds what it can and reports each failure with notation\'s %q error lines', async () => {
      const r = await cli('certificate', 'add', '--type', 'ca', '--store', 'acme', 'root.crt', 'missing.crt', 'junk.txt', 'empty.pem', 'leaf.pem', 'root.crt');
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('Successfully added following certificates to named store acme of type ca:\nroot.crt\n');
      expect(r.stderr).to.equal(
        'Error: Failed to add following certificates to named store acme of type ca:\n' +
          `missing.crt, with error "open ${join(root, 'missing.crt')}: no such file or directory"\n` +
          'junk.txt, with error "x509: malformed certificate"\n' +
          'empty.pem, with error "no valid certificate found in the file"\n' +
          `leaf.pem, with error "failed to validate the trusted certificate leaf.pem in trust store acme of type ca: certificate with subject \\"${pki.leaf.subject.replace(/"/g, '\\"')}\\" is not a CA certificate or self-signed signing certificate"\n` +
          'root.crt, with error "certificate already exists in the Trust Store"\n\n',
      );
      expect(readdirSync(store('ca', 'acme'))).to.deep.equal(['root.crt']);
    });

    it('accepts a self-signed signing certificate, and only root CAs in a tsa store', async () => {
      const self = await makeSelfSigned('EC-256');
      writeFileSync(join(root, 'self.crt'), self.certPem);
      expect((await cli('cert', 'add', '-t', 'signingAuthority', '-s', 'sa', 'self.crt')).code).to.equal(0);
      const tsa = await makeTsaPki();
      writeFileSync(join(root, 'tsa-root.crt'), tsa.root.certPem);
      writeFileSync(join(root, 'tsa-leaf.crt'), tsa.leaf.certPem);
      expect((await cli('cert', 'add', '-t', 'tsa', '-s', 'ts', 'tsa-root.crt')).code).to.equal(0);
      const inter = await cli('cert', 'add', '-t', 'tsa', '-s', 'ts', 'inter.der');
      expect(inter.code).to.equal(1);
      expect(inter.stderr).to.contain('inter.der, with error "trusted certificate inter.der in trust store ts of type tsa is invalid: certificate with subject');
      expect(inter.stderr).to.contain('is not a root CA certificate');
      const leaf = await cli('cert', 'add', '-t', 'tsa', '-s', 'ts', 'tsa-leaf.crt');
      expect(leaf.code).to.equal(1);
      expect(readdirSync(store('tsa', 'ts'))).to.deep.equal(['tsa-root.crt']);
    });

    it('leaves no store directory behind when nothing could be added', async () => {
      const r = await cli('cert', 'add', '-t', 'ca', '-s', 'nothing', 'leaf.pem');
      expect(r.code).to.equal(1);
      expect(existsSync(store('ca', 'nothing'))).to.equal(false);
      expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    });

    it('checks flags, type and store name as notation does', async () => {
      expect((await cli('cert', 'add', 'root.crt')).stderr).to.equal('Error: required flag(s) "store", "type" not set\n');
      expect((await cli('cert', 'add', '-t', 'ca', 'root.crt')).stderr).to.equal('Error: required flag(s) "store" not set\n');
      expect((await cli('cert', 'add', '-t', '', '-s', 'x', 'root.crt')).stderr).to.equal('Error: store type cannot be empty\n');
      expect((await cli('cert', 'add', '-t', 'cax', '-s', 'x', 'root.crt')).stderr).to.equal('Error: unsupported store type: cax\n');
      for (const bad of ['a/b', '..', 'a b', '']) {
        expect((await cli('cert', 'add', '-t', 'ca', '-s', bad, 'root.crt')).stderr, bad).to.equal('Error: named store name needs to follow [a-zA-Z0-9_.-]+ format\n');
      }
      expect((await cli('cert', 'add', '-t', 'ca', '-s', 'x')).stderr).to.equal('Error: missing certificate path\n');
      expect(existsSync(join(cfg, 'truststore'))).to.equal(false);
    });
  });

  describe('list', () => {
    beforeEach(async () => {
      const tsa = await makeTsaPki();
      writeFileSync(join(root, 'tsa-root.crt'), tsa.root.certPem);
      await cli('cert', 'add', '-t', 'ca', '-s', 'acme', 'root.crt', 'inter.der');
      await cli('cert', 'add', '-t', 'ca', '-s', 'wabbit-networks', 'root.crt');
      await cli('cert', 'add', '-t', 'tsa', '-s', 'acme', 'tsa-root.crt');
    });

    it('lists every store in a tabwriter table', async () => {
      const r = await cli('cert', 'ls');
      expect(r).to.deep.equal({
        code: 0,
        stdout:
          'STORE TYPE   STORE NAME        CERTIFICATE    \n' +
          'ca           acme              inter.der      \n' +
          'ca           acme              root.crt       \n' +
          'ca           wabbit-networks   root.crt       \n' +
          'tsa          acme              tsa-root.crt   \n',
        stderr: '',
      });
    });

    it('filters by type, by store, or both; unknown ones list nothing', async () => {
      expect((await cli('cert', 'list', '-t', 'tsa')).stdout).to.equal('STORE TYPE   STORE NAME   CERTIFICATE    \ntsa          acme         tsa-root.crt   \n');
      expect((await cli('cert', 'list', '-s', 'acme')).stdout.split('\n').slice(1, -1).map((l) => l.trim().split(/\s+/).join(' '))).to.deep.equal([
        'ca acme inter.der',
        'ca acme root.crt',
        'tsa acme tsa-root.crt',
      ]);
      expect((await cli('cert', 'list', '-t', 'ca', '-s', 'wabbit-networks')).stdout).to.equal('STORE TYPE   STORE NAME        CERTIFICATE   \nca           wabbit-networks   root.crt      \n');
      expect(await cli('cert', 'list', '-t', 'nope')).to.deep.equal({ code: 0, stdout: '', stderr: '' });
      expect(await cli('cert', 'list', '-t', 'ca', '-s', 'none')).to.deep.equal({ code: 0, stdout: '', stderr: '' });
      expect(await cli('cert', 'list', '-s', '../..')).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    });

    it('fails on a file in a store that is not a certificate, as notation does', async () => {
      writeFileSync(store('ca', 'acme', 'readme.txt'), 'hello');
      const r = await cli('cert', 'ls');
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal('Error: failed to list all certificates stored in the trust store, with error: x509: malformed certificate\n');
      const named = await cli('cert', 'ls', '-t', 'ca', '-s', 'acme');
      expect(named.stderr).to.equal('Error: failed to list all certificates stored in the named store acme of type ca, with error: x509: malformed certificate\n');
    });

    it('prints nothing for an empty or absent trust store', async () => {
      rmSync(cfg, { recursive: true, force: true });
      expect(await cli('cert', 'ls')).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    });
  });

  describe('show', () => {
    it('prints each certificate of the file like notation', async () => {
      await cli('cert', 'add', '-t', 'ca', '-s', 'acme', 'chain.pem');
      // chain.pem holds a leaf: it is refused, so show the root file instead.
      await cli('cert', 'add', '-t', 'ca', '-s', 'acme', 'root.crt');
      const r = await cli('cert', 'show', '-t', 'ca', '-s', 'acme', 'root.crt');
      const c = pki.root.cert;
      expect(r).to.deep.equal({
        code: 0,
        stdout:
          'Certificate details\n' +
          '-'.repeat(80) +
          '\n' +
          `Issuer: ${c.issuer}\nSubject: ${c.subject}\nValid from: ${goTimeString(c.notBefore)}\nValid to: ${goTimeString(c.notAfter)}\nIsCA: true\nSHA256 Thumbprint: ${c.fingerprint256.toLowerCase()}\n`,
        stderr: '',
      });
    });

    it('separates several certificates of one file with a rule', async () => {
      mkdirSync(store('ca', 'multi'), { recursive: true });
      writeFileSync(store('ca', 'multi', 'two.pem'), pki.intermediate.certPem + pki.root.certPem);
      const r = await cli('cert', 'show', '-t', 'ca', '-s', 'multi', 'two.pem');
      expect(r.code).to.equal(0);
      expect(r.stdout.split('-'.repeat(80)).length).to.equal(3);
      expect(r.stdout).to.contain(`Subject: ${pki.intermediate.cert.subject}\n`);
      expect(r.stdout).to.match(/IsCA: true\nSHA256 Thumbprint: [0-9a-f]{64}\n-{80}\nIssuer: /);
    });

    it('errors', async () => {
      expect((await cli('cert', 'show', '-t', 'ca', '-s', 'acme')).stderr).to.equal('Error: missing certificate file name\n');
      expect((await cli('cert', 'show', '-t', 'ca', '-s', 'acme', 'a', 'b')).stderr).to.equal('Error: show only supports single certificate file\n');
      expect((await cli('cert', 'show', 'a')).stderr).to.equal('Error: required flag(s) "store", "type" not set\n');
      const missing = await cli('cert', 'show', '-t', 'ca', '-s', 'acme', 'x.pem');
      expect(missing.stderr).to.equal(`Error: failed to show details of certificate x.pem, with error: open ${store('ca', 'acme', 'x.pem')}: no such file or directory\n`);
      expect((await cli('cert', 'show', '-t', 'ca', '-s', 'acme', '../../../x')).stderr).to.match(/must be the name of a file in the trust store/);
      mkdirSync(store('ca', 'acme'), { recursive: true });
      writeFileSync(store('ca', 'acme', 'empty.pem'), '');
      expect((await cli('cert', 'show', '-t', 'ca', '-s', 'acme', 'empty.pem')).stderr).to.equal('Error: failed to show details of certificate empty.pem, with error: no valid certificate found in the file\n');
    });
  });

  describe('delete', () => {
    beforeEach(async () => {
      expect((await cli('cert', 'add', '-t', 'ca', '-s', 'acme', 'root.crt', 'inter.der')).code).to.equal(0);
    });

    it('deletes one certificate with -y, then the emptied store', async () => {
      const r = await cli('cert', 'delete', '-t', 'ca', '-s', 'acme', '-y', 'root.crt');
      expect(r).to.deep.equal({ code: 0, stdout: 'Successfully deleted root.crt from trust store acme of type ca\n', stderr: '' });
      expect(readdirSync(store('ca', 'acme'))).to.deep.equal(['inter.der']);
      await cli('cert', 'delete', '-t', 'ca', '-s', 'acme', '-y', 'inter.der');
      expect(existsSync(store('ca', 'acme'))).to.equal(false);
      const again = await cli('cert', 'delete', '-t', 'ca', '-s', 'acme', '-y', 'inter.der');
      expect(again.stderr).to.equal(`Error: failed to delete the certificate file: stat ${store('ca', 'acme', 'inter.der')}: no such file or directory\n`);
    });

    it('deletes a whole store with --all', async () => {
      const r = await cli('cert', 'delete', '--type', 'ca', '--store', 'acme', '--all', '--yes');
      expect(r).to.deep.equal({ code: 0, stdout: `Successfully deleted ${store('ca', 'acme')}\n`, stderr: '' });
      expect(existsSync(store('ca', 'acme'))).to.equal(false);
      const again = await cli('cert', 'delete', '-t', 'ca', '-s', 'acme', '-a', '-y');
      expect(again.stderr).to.equal(`Error: failed to delete the named trust store: stat ${store('ca', 'acme')}: no such file or directory\n`);
    });

    it('needs confirmation: refused without a terminal, asked on one', async () => {
      const r = await cli('cert', 'delete', '-t', 'ca', '-s', 'acme', 'root.crt');
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/^Error: deleting "root.crt" in "acme" of type "ca" needs confirmation; use -y\/--yes to confirm/);
      expect(existsSync(store('ca', 'acme', 'root.crt'))).to.equal(true);
      const ask = async (argv: string[], answer: string) => {
        let stdout = '';
        const code = await run(argv, { stdout: { write: (s) => void (stdout += s) }, stderr: { write: () => undefined }, env: { NOTATION_CONFIG: cfg }, cwd: root, readLine: async () => answer });
        return { code, stdout };
      };
      const no = await ask(['cert', 'delete', '-t', 'ca', '-s', 'acme', '--all'], 'no');
      expect(no).to.deep.equal({ code: 0, stdout: 'Are you sure you want to delete all certificates in "acme" of type "ca"? [y/N] Operation cancelled.\n' });
      expect(existsSync(store('ca', 'acme'))).to.equal(true);
      const yes = await ask(['cert', 'delete', '-t', 'ca', '-s', 'acme', 'root.crt'], 'y');
      expect(yes).to.deep.equal({ code: 0, stdout: 'Are you sure you want to delete "root.crt" in "acme" of type "ca"? [y/N] Successfully deleted root.crt from trust store acme of type ca\n' });
    });

    it('argument and flag errors', async () => {
      expect((await cli('cert', 'delete', '-t', 'ca', '-s', 'acme')).stderr).to.equal(
        'Error: delete requires either the certificate file name that needs to be deleted or --all flag to delete all certificates in the given named trust store\n',
      );
      expect((await cli('cert', 'delete', '-t', 'ca', '-s', 'acme', '--all', 'root.crt')).stderr).to.equal('Error: cannot delete a single certificate file when --all flag is set. use --help flag for more details\n');
      expect((await cli('cert', 'delete', '-t', 'bad', '-s', 'acme', '-y', 'root.crt')).stderr).to.equal('Error: unsupported store type: bad\n');
      expect((await cli('cert', 'delete', '-t', 'ca', '-s', 'acme', '-y', '../acme')).stderr).to.match(/must be the name of a file in the trust store/);
      expect((await cli('cert', 'delete', '-t', 'ca', '-s', '..', '-y', '--all')).stderr).to.equal('Error: named store name needs to follow [a-zA-Z0-9_.-]+ format\n');
      expect(existsSync(store('ca', 'acme', 'root.crt'))).to.equal(true);
    });
  });
});
