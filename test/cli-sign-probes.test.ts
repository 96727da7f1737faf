/**
 * Replays notation-made's `signTimeProbes`: the certificates the real notation was
 * asked to sign with (v1.3.2 OCI JWS/COSE, v2.0.0-alpha.1 blob JWS). We must refuse
 * exactly what notation refused, with its error text (the signing time, which is
 * "now", is normalised), and sign what it signed.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { sharedPath } from './helpers/shared.js';

const MADE = sharedPath('notation-made/');

interface ProbeResult {
  exitCode: number;
  outcome: 'signed' | 'refused';
  stderr: string;
}
interface Probe {
  id: string;
  description: string;
  signingKey: string;
  certChain: string;
  jws: ProbeResult;
  cose: ProbeResult;
  blobJws: ProbeResult;
}

const probes = (JSON.parse(readFileSync(join(MADE, 'cases.json'), 'utf8')) as { signTimeProbes: Probe[] }).signTimeProbes;
const normalise = (s: string) => s.trim().replace(/signing time of [^.]+ UTC\./, 'signing time of <now>.');

describe('notation-made sign-time probes', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'notation-ts-probes-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has probes to replay', () => expect(probes.length).to.be.greaterThan(5));

  for (const p of probes) {
    it(`${p.id}: ${p.description}`, async () => {
      const cfg = join(dir, p.id, 'config');
      const work = join(dir, p.id);
      const layout = join(work, 'img');
      cpSync(join(MADE, 'oci', 'oci-cose-ec384'), layout, { recursive: true });
      // Keep only the image: drop the signature notation stored in the fixture.
      const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { annotations?: Record<string, string> }[] };
      index.manifests = index.manifests.filter((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'v1');
      writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
      const keys = { default: 'probe', keys: [{ name: 'probe', keyPath: join(MADE, p.signingKey), certPath: join(MADE, p.certChain) }] };
      const cli = (args: string[]) => runCli(args, { env: { NOTATION_CONFIG: cfg, NOTATION_CACHE: join(work, 'cache') }, cwd: work });
      rmSync(cfg, { recursive: true, force: true });
      cpSync(join(MADE, 'truststore'), join(cfg, 'truststore'), { recursive: true });
      writeFileSync(join(cfg, 'signingkeys.json'), JSON.stringify(keys));
      writeFileSync(join(work, 'artifact.txt'), readFileSync(join(MADE, 'blob', 'artifact.txt')));

      const runs: [string, ProbeResult, string[]][] = [
        ['jws', p.jws, ['sign', '--oci-layout', '--signature-format', 'jws', 'img:v1']],
        ['cose', p.cose, ['sign', '--oci-layout', '--signature-format', 'cose', 'img:v1']],
        ['blobJws', p.blobJws, ['blob', 'sign', '--force', '--signature-format', 'jws', 'artifact.txt']],
      ];
      for (const [what, want, args] of runs) {
        const r = await cli(args);
        const stderr = r.stderr
          .split('\n')
          .filter((l) => !l.startsWith('Warning: Always sign the artifact'))
          .join('\n');
        expect(r.code, `${what}: ${r.stderr}`).to.equal(want.exitCode);
        if (want.outcome === 'refused') expect(normalise(stderr), what).to.equal(normalise(want.stderr));
        else expect(stderr.trim(), what).to.equal(what === 'blobJws' ? 'Warning: existing signature file will be overwritten' : '');
      }
      const sigs = readdirSync(work).filter((f) => f.endsWith('.sig'));
      expect(sigs).to.deep.equal(p.blobJws.outcome === 'signed' ? ['artifact.txt.jws.sig'] : []);
    });
  }
});
