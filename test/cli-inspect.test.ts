/**
 * `inspect` and `blob inspect` through the CLI, in process: the signatures of
 * notation's own e2e fixtures (whose expected output notation's e2e suite pins),
 * the notation-made layouts and blob signatures (expected values checked with
 * openssl against the PKI files), both output formats, and the error paths.
 */
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from './helpers/cli.js';
import { OciLayoutRepository } from '../src/oci/layout.js';
import { sharedPath } from './helpers/shared.js';

const E2E = sharedPath('conformance/fixtures/notation/test/e2e/testdata');
const SIGS = join(E2E, 'signatures');
const LAYOUTS = join(E2E, 'registry/oci_layout');
const MADE = sharedPath('notation-made');
const SUBJECT = 'sha256:11ecf776c3fa005fa46d9548a5233014995d4322bb1e8b913c79c0388c17c993';
const UTC = { TZ: 'UTC' };

const cli = (argv: string[], cwd: string, env: Record<string, string> = UTC) => runCli(argv, { cwd, env });

// Certificates of the notation-made PKI (openssl x509 -fingerprint -sha256 -subject -issuer -enddate).
const LEAF_RSA = ['ac235519d5da8c5666e609c26b45c14a46a5c4dc0945d8674257a906d33ef9e6', 'CN=public-interop-leaf-rsa3072,O=Public Interop,L=Seattle,ST=WA,C=US', 'CN=Public Interop Intermediate CA,O=Public Interop,L=Seattle,ST=WA,C=US'];
const LEAF_EC = ['a861c0789572e20c25a4c7155290c3cbaf9c4d5d735d5c6d2d4d231efcdeb5ca', 'CN=public-interop-leaf-ec384,O=Public Interop,L=Seattle,ST=WA,C=US', 'CN=Public Interop Intermediate CA,O=Public Interop,L=Seattle,ST=WA,C=US'];
const INTER = ['ae7f3269c43fe747ece6b7a267fc0e54567ff6c3df58c9ae7f10767c51703480', 'CN=Public Interop Intermediate CA,O=Public Interop,L=Seattle,ST=WA,C=US', 'CN=Public Interop Root CA,O=Public Interop,L=Seattle,ST=WA,C=US'];
const ROOT = ['8cbb59ee3bddbd8a0e23814e6651e87b0a0792621c0449fb658691ee712ff514', 'CN=Public Interop Root CA,O=Public Interop,L=Seattle,ST=WA,C=US', 'CN=Public Interop Root CA,O=Public Interop,L=Seattle,ST=WA,C=US'];
const TSA = ['595cf77996b8b7df6e34d0f85693b344044aacac5c406f0b5deb6779fa5cdb47', 'CN=Public Interop TSA,O=Public Interop,ST=WA,C=US', 'CN=Public Interop TSA Root,O=Public Interop,ST=WA,C=US'];
const TSA_ROOT = ['789284eb7bd67dcb93753a17a394a383e9f64766be92c1406b71f627d4354ee4', 'CN=Public Interop TSA Root,O=Public Interop,ST=WA,C=US', 'CN=Public Interop TSA Root,O=Public Interop,ST=WA,C=US'];

function certJson(c: string[], expiry: string) {
  return { SHA256Fingerprint: c[0], issuedTo: c[1], issuedBy: c[2], expiry };
}

/** The certificate block of the rsa leaf chain, as children of a node at `indent`. */
function chainLines(indent: string, leaf: string[]): string {
  const rows: [string[], string][] = [[leaf, 'Thu Dec 31 23:59:59 2043'], [INTER, 'Sat Dec 31 23:59:59 2044'], [ROOT, 'Sun Dec 31 23:59:59 2045']];
  return rows
    .map(([c, exp], i) => {
      const last = i === rows.length - 1;
      const sub = indent + (last ? '    ' : '│   ');
      return `${indent}${last ? '└── ' : '├── '}SHA256 fingerprint: ${c[0]}\n${sub}├── issued to: ${c[1]}\n${sub}├── issued by: ${c[2]}\n${sub}└── expiry: ${exp}\n`;
    })
    .join('');
}

describe('cli: blob inspect', () => {
  it('prints the tree of notation e2e blob.jws.sig exactly as notation does', async () => {
    const r = await cli(['blob', 'inspect', '--output', 'tree', 'blob.jws.sig'], SIGS);
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal(`blob.jws.sig
├── signature algorithm: RSASSA-PSS-SHA-256
├── signature envelope type: application/jose+json
├── signed attributes
│   ├── content type: application/vnd.cncf.notary.payload.v1+json
│   ├── signing scheme: notary.x509
│   └── signing time: Tue Dec 31 08:05:29 2024
├── user defined attributes
│   └── (empty)
├── unsigned attributes
│   ├── signing agent: notation-go/1.3.0+unreleased
│   └── timestamp signature
│       ├── timestamp: [Tue Dec 31 08:05:29 2024, Tue Dec 31 08:05:30 2024]
│       └── certificates
│           ├── SHA256 fingerprint: 36e731cfa9bfd69dafb643809f6dec500902f7197daeaad86ea0159a2268a2b8
│           │   ├── issued to: CN=Microsoft Public RSA Timestamping CA 2020,O=Microsoft Corporation,C=US
│           │   ├── issued by: CN=Microsoft Identity Verification Root Certificate Authority 2020,O=Microsoft Corporation,C=US
│           │   └── expiry: Mon Nov 19 20:42:31 2035
│           └── SHA256 fingerprint: 93db2732c49e2624cf0a5cc03ad04acc0927fcaf5e7afdd4a3e23b6fc196aedc
│               ├── issued to: CN=Microsoft Public RSA Time Stamping Authority,OU=Microsoft America Operations+OU=nShield TSS ESN:7800-05E0-D947,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US
│               ├── issued by: CN=Microsoft Public RSA Timestamping CA 2020,O=Microsoft Corporation,C=US
│               └── expiry: Sat Feb 15 20:36:12 2025
├── certificates
│   └── SHA256 fingerprint: dadee19c843e94b94daae9854d0de7ad93642b6075e2d1523b860b1770b64a03
│       ├── issued to: CN=testcert2,O=Notary,L=Seattle,ST=WA,C=US
│       ├── issued by: CN=testcert2,O=Notary,L=Seattle,ST=WA,C=US
│       └── expiry: Wed Jan  1 08:04:39 2025
└── signed artifact
    ├── media type: application/octet-stream
    ├── digest: sha256:c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4
    └── size: 11357
`);
  });

  it('prints the JSON of notation e2e blob.cose.sig exactly as notation does (tree is the default)', async () => {
    const r = await cli(['blob', 'inspect', '-o', 'json', join(SIGS, 'blob.cose.sig')], '/');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal(`{
  "signatureAlgorithm": "RSASSA-PSS-SHA-256",
  "signatureEnvelopeType": "application/cose",
  "signedAttributes": {
    "contentType": "application/vnd.cncf.notary.payload.v1+json",
    "signingScheme": "notary.x509",
    "signingTime": "2025-01-07T08:42:43Z"
  },
  "userDefinedAttributes": null,
  "unsignedAttributes": {
    "signingAgent": "notation-go/1.3.0+unreleased",
    "timestampSignature": {
      "timestamp": "[2025-01-07T08:42:43.582Z, 2025-01-07T08:42:44.582Z]",
      "certificates": [
        {
          "SHA256Fingerprint": "36e731cfa9bfd69dafb643809f6dec500902f7197daeaad86ea0159a2268a2b8",
          "issuedTo": "CN=Microsoft Public RSA Timestamping CA 2020,O=Microsoft Corporation,C=US",
          "issuedBy": "CN=Microsoft Identity Verification Root Certificate Authority 2020,O=Microsoft Corporation,C=US",
          "expiry": "2035-11-19T20:42:31Z"
        },
        {
          "SHA256Fingerprint": "3403d75002d22e2b8c49a8a113957d9eb225c901b946837fd61ff3ce32c51f65",
          "issuedTo": "CN=Microsoft Public RSA Time Stamping Authority,OU=Microsoft America Operations+OU=Thales TSS ESN:45D6-96C5-5E63,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US",
          "issuedBy": "CN=Microsoft Public RSA Timestamping CA 2020,O=Microsoft Corporation,C=US",
          "expiry": "2025-02-15T20:35:56Z"
        }
      ]
    }
  },
  "certificates": [
    {
      "SHA256Fingerprint": "3678adce9daa3a82f4f55fd65e0c87c398b3d9bcd5338c06bbf8850df8c6641d",
      "issuedTo": "CN=testcert3,O=Notary,L=Seattle,ST=WA,C=US",
      "issuedBy": "CN=testcert3,O=Notary,L=Seattle,ST=WA,C=US",
      "expiry": "2025-01-08T08:42:24Z"
    }
  ],
  "signedArtifact": {
    "mediaType": "application/octet-stream",
    "digest": "sha256:c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4",
    "size": 11357
  }
}
`);
    const tree = await cli(['blob', 'inspect', join(SIGS, 'blob.cose.sig')], '/');
    expect(tree.stdout.split('\n')[0]).to.equal(join(SIGS, 'blob.cose.sig'));
    expect(tree.stdout).to.contain('│   └── signing time: Tue Jan  7 08:42:43 2025\n');
  });

  it('shows a notation-made timestamped JWS blob signature: chain, TSA certificates as embedded, accuracy window', async () => {
    const r = await cli(['blob', 'inspect', '-o', 'json', 'blob/blob-jws-timestamped/artifact.txt.jws.sig'], MADE);
    expect(r.code).to.equal(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).to.deep.equal({
      signatureAlgorithm: 'RSASSA-PSS-SHA-384',
      signatureEnvelopeType: 'application/jose+json',
      signedAttributes: { contentType: 'application/vnd.cncf.notary.payload.v1+json', signingScheme: 'notary.x509', signingTime: '2026-11-22T06:10:44Z' },
      userDefinedAttributes: null,
      unsignedAttributes: {
        signingAgent: 'notation-go/1.3.0+unreleased',
        timestampSignature: {
          // openssl ts -reply -token_in -text: genTime 06:10:44, accuracy 1 s; openssl put the TSA certificate in twice.
          timestamp: '[2026-11-22T06:10:43Z, 2026-11-22T06:10:45Z]',
          certificates: [certJson(TSA, '2044-12-31T23:59:59Z'), certJson(TSA, '2044-12-31T23:59:59Z'), certJson(TSA_ROOT, '2045-12-31T23:59:59Z')],
        },
      },
      certificates: [certJson(LEAF_RSA, '2043-12-31T23:59:59Z'), certJson(INTER, '2044-12-31T23:59:59Z'), certJson(ROOT, '2045-12-31T23:59:59Z')],
      signedArtifact: { mediaType: 'application/octet-stream', digest: doc.signedArtifact.digest, size: 44 },
    });
    expect(doc.signedArtifact.digest).to.match(/^sha384:[0-9a-f]{96}$/);
    // Go's struct field order and sorted map keys.
    expect(Object.keys(doc)).to.deep.equal(['signatureAlgorithm', 'signatureEnvelopeType', 'signedAttributes', 'userDefinedAttributes', 'unsignedAttributes', 'certificates', 'signedArtifact']);
  });

  it('shows the blob media type given at signing and an EC leaf', async () => {
    const r = await cli(['blob', 'inspect', 'blob/blob-jws-media-type/artifact.txt.jws.sig'], MADE);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('\n└── signed artifact\n    ├── media type: application/vnd.interop.test+text\n');
    const ec = await cli(['blob', 'inspect', 'blob/blob-cose-ec384/artifact.txt.cose.sig'], MADE);
    expect(ec.stdout).to.contain('├── signature algorithm: ECDSA-SHA-384\n├── signature envelope type: application/cose\n');
    expect(ec.stdout).to.contain(`├── certificates\n${chainLines('│   ', LEAF_EC)}└── signed artifact\n`);
  });

  it('shows an expiry as a signed attribute', async () => {
    const r = await cli(['blob', 'inspect', 'blob/blob-jws-signature-expired/artifact.txt.jws.sig'], MADE);
    expect(r.stdout).to.match(/│   ├── signing time: Sun Nov 22 06:10:4\d 2026\n│   └── expiry: Sun Nov 22 06:11:4\d 2026\n/);
  });

  it('prints COSE times in the local zone (Go decodes them with time.Unix) and JWS times with their own offset', async () => {
    const env = { TZ: 'Asia/Kolkata' };
    const cose = await cli(['blob', 'inspect', '-o', 'json', join(SIGS, 'blob.cose.sig')], '/', env);
    const doc = JSON.parse(cose.stdout);
    expect(doc.signedAttributes.signingTime).to.equal('2025-01-07T14:12:43+05:30');
    // Certificate and timestamp times are UTC in Go whatever the local zone.
    expect(doc.certificates[0].expiry).to.equal('2025-01-08T08:42:24Z');
    expect(doc.unsignedAttributes.timestampSignature.timestamp).to.equal('[2025-01-07T08:42:43.582Z, 2025-01-07T08:42:44.582Z]');
    const coseTree = await cli(['blob', 'inspect', join(SIGS, 'blob.cose.sig')], '/', env);
    expect(coseTree.stdout).to.contain('│   └── signing time: Tue Jan  7 14:12:43 2025\n');
    const jws = await cli(['blob', 'inspect', '-o', 'json', join(SIGS, 'blob.jws.sig')], '/', env);
    expect(JSON.parse(jws.stdout).signedAttributes.signingTime).to.equal('2024-12-31T08:05:29Z');
  });

  it('fails on a malformed envelope with notation\'s message and exit code', async () => {
    const r = await cli(['blob', 'inspect', 'malformed.jws.sig'], SIGS);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal("Error: failed to parse signature: invalid character 'm' looking for beginning of value\n");
  });

  it('rejects bad file names, a missing file and an unknown format as notation does', async () => {
    const cases: [string[], string][] = [
      [['blob', 'inspect', 'unknown.sig'], 'invalid signature filename unknown.sig. A valid signature file name must contain signature format and .sig file extension'],
      [['blob', 'inspect', 'blob.jws'], 'invalid signature filename blob.jws. The file extension must be .sig'],
      [['blob', 'inspect', 'hello.unknown.sig'], 'signature format "unknown" not supported\nSupported signature envelope formats are "jws" and "cose"'],
      [['blob', 'inspect', 'missing.jws.sig'], 'failed to read signature file: open missing.jws.sig: no such file or directory'],
      [['blob', 'inspect', '--output', 'unknown', 'blob.jws.sig'], 'unrecognized output format unknown'],
      [['blob', 'inspect'], 'missing signature path to inspect: use `notation blob inspect --help` to see what parameters are required'],
    ];
    for (const [argv, msg] of cases) {
      const r = await cli(argv, SIGS);
      expect(r.code, argv.join(' ')).to.equal(1);
      expect(r.stderr, argv.join(' ')).to.equal(`Error: ${msg}\n`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'inspect-'));
    try {
      cpSync(SIGS, join(dir, 'x.jws.sig'), { recursive: true });
      const r = await cli(['blob', 'inspect', 'x.jws.sig'], dir);
      expect(r.stderr).to.equal('Error: failed to read signature file: read x.jws.sig: is a directory\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cli: inspect', () => {
  const TS_DIGEST = 'sha256:53b0191218aed9a3c1f7c661736ac40cfc8eb928642348fd843ba3f0483c0c20';

  it('prints the tree of a timestamped signature in an OCI layout exactly as notation does', async () => {
    const ref = `e2e-with-timestamped-signature@${TS_DIGEST}`;
    const r = await cli(['inspect', '--oci-layout', '--output', 'tree', ref], LAYOUTS);
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal(`Inspecting all signatures for signed artifact
${ref}
└── application/vnd.cncf.notary.signature
    └── sha256:6a5cd3a886707a317935dcaf13954fc80ef9aeb665262b6ae4fe469ad7ea3aea
        ├── signature algorithm: RSASSA-PSS-SHA-256
        ├── signature envelope type: application/jose+json
        ├── signed attributes
        │   ├── content type: application/vnd.cncf.notary.payload.v1+json
        │   ├── signing scheme: notary.x509
        │   ├── signing time: Tue Jan 21 09:17:46 2025
        │   └── expiry: Tue Jan 21 12:39:46 2025
        ├── user defined attributes
        │   └── purpose: e2e
        ├── unsigned attributes
        │   ├── signing agent: notation-go/1.3.0+unreleased
        │   └── timestamp signature
        │       ├── timestamp: [Tue Jan 21 09:17:46 2025, Tue Jan 21 09:17:47 2025]
        │       └── certificates
        │           ├── SHA256 fingerprint: 36e731cfa9bfd69dafb643809f6dec500902f7197daeaad86ea0159a2268a2b8
        │           │   ├── issued to: CN=Microsoft Public RSA Timestamping CA 2020,O=Microsoft Corporation,C=US
        │           │   ├── issued by: CN=Microsoft Identity Verification Root Certificate Authority 2020,O=Microsoft Corporation,C=US
        │           │   └── expiry: Mon Nov 19 20:42:31 2035
        │           └── SHA256 fingerprint: 59283806bbc4fec702339b6026633c2034333fd3cae5368323186209e406d522
        │               ├── issued to: CN=Microsoft Public RSA Time Stamping Authority,OU=Microsoft America Operations+OU=Thales TSS ESN:45D6-96C5-5E63,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US
        │               ├── issued by: CN=Microsoft Public RSA Timestamping CA 2020,O=Microsoft Corporation,C=US
        │               └── expiry: Wed Nov 19 18:48:54 2025
        ├── certificates
        │   └── SHA256 fingerprint: 1717fa9d18f7e9c0f609499474adfe2b8e44172454f1d6e2183d5d04f79af475
        │       ├── issued to: CN=testcert7,O=Notary,L=Seattle,ST=WA,C=US
        │       ├── issued by: CN=testcert7,O=Notary,L=Seattle,ST=WA,C=US
        │       └── expiry: Wed Jan 22 08:36:26 2025
        └── signed artifact
            ├── media type: application/vnd.oci.image.manifest.v1+json
            ├── digest: ${TS_DIGEST}
            └── size: 582
`);
  });

  it('shows an undecodable timestamp countersignature as an error line, not a failure', async () => {
    const digest = 'sha256:f1da8cd70d6d851fa2313c8d6618f79508cf1e86877edf1c0bfe49a1b0a6467a';
    const msg = 'failed to parse timestamp countersignature: cms: syntax error: invalid signed data: failed to convert from BER to DER: asn1: syntax error: decoding BER length octets: short form length octets value should be less or equal to the subsequent octets length';
    const tree = await cli(['inspect', '--oci-layout', `e2e-with-invalid-timestamped-signature@${digest}`], LAYOUTS);
    expect(tree.code).to.equal(0);
    expect(tree.stdout).to.contain(`        │   └── timestamp signature\n        │       └── error: ${msg}\n        ├── certificates\n`);
    const json = await cli(['inspect', '--oci-layout', '-o', 'json', `e2e-with-invalid-timestamped-signature@${digest}`], LAYOUTS);
    const doc = JSON.parse(json.stdout);
    expect(doc.signatures[0].unsignedAttributes).to.deep.equal({ signingAgent: 'notation-go/1.3.0+unreleased', timestampSignature: { error: msg } });
  });

  it('prints notation\'s no-signature line (tree) and an empty list (json)', async () => {
    const ref = 'e2e@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
    const tree = await cli(['inspect', '--oci-layout', ref], LAYOUTS);
    expect(tree.code).to.equal(0);
    expect(tree.stdout).to.equal(`${ref} has no associated signature\n`);
    const json = await cli(['inspect', '--oci-layout', '-o', 'json', ref], LAYOUTS);
    expect(json.stdout).to.equal('{\n  "mediaType": "application/vnd.oci.image.manifest.v1+json",\n  "signatures": []\n}\n');
  });

  it('prints a notation-made signature with user metadata, sorted, and the whole chain', async () => {
    const ref = `oci/oci-jws-user-metadata@${SUBJECT}`;
    const r = await cli(['inspect', '--oci-layout', ref], MADE);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal(`Inspecting all signatures for signed artifact
${ref}
└── application/vnd.cncf.notary.signature
    └── sha256:6a0f3bfecc2939aaac86b1949f0471be9a8b4787dc221097219c6ecf7a96f5df
        ├── signature algorithm: RSASSA-PSS-SHA-384
        ├── signature envelope type: application/jose+json
        ├── signed attributes
        │   ├── content type: application/vnd.cncf.notary.payload.v1+json
        │   ├── signing scheme: notary.x509
        │   └── signing time: Sun Nov 22 06:10:42 2026
        ├── user defined attributes
        │   ├── buildId: 42
        │   └── team: interop
        ├── unsigned attributes
        │   └── signing agent: notation-go/1.3.2
        ├── certificates
${chainLines('        │   ', LEAF_RSA)}        └── signed artifact
            ├── media type: application/vnd.oci.image.manifest.v1+json
            ├── digest: ${SUBJECT}
            └── size: 401
`);
    const json = JSON.parse((await cli(['inspect', '--oci-layout', '-o', 'json', ref], MADE)).stdout);
    expect(json.signatures[0].userDefinedAttributes).to.deep.equal({ buildId: '42', team: 'interop' });
    expect(json.signatures[0].digest).to.equal('sha256:6a0f3bfecc2939aaac86b1949f0471be9a8b4787dc221097219c6ecf7a96f5df');
    expect(Object.keys(json.signatures[0])[0]).to.equal('digest');
  });

  it('warns when the reference is a tag, and checks --output and --max-signatures first', async () => {
    const r = await cli(['inspect', '--oci-layout', 'oci/oci-cose-rsa:v1'], MADE);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('Warning: Always inspect the artifact using digest(@sha256:...) rather than a tag(:v1) because resolved digest may not point to the same signed artifact, as tags are mutable.\n');
    expect(r.stdout.split('\n').slice(0, 3)).to.deep.equal(['Inspecting all signatures for signed artifact', `oci/oci-cose-rsa@${SUBJECT}`, '└── application/vnd.cncf.notary.signature']);
    expect(r.stdout).to.contain('    └── sha256:7c56f772ceb8118efc9f4d85bcf7068b1319ed2dfcbaad92832b99eedd026741\n        ├── signature algorithm: RSASSA-PSS-SHA-384\n        ├── signature envelope type: application/cose\n');
    const bad = await cli(['inspect', '--oci-layout', '-o', 'text', '--max-signatures', '0', `oci/oci-cose-rsa@${SUBJECT}`], MADE);
    expect([bad.code, bad.stderr]).to.deep.equal([1, 'Error: invalid format: "text"\n']);
    const zero = await cli(['inspect', '--oci-layout', '--max-signatures', '0', `oci/oci-cose-rsa@${SUBJECT}`], MADE);
    expect([zero.code, zero.stderr]).to.deep.equal([1, 'Error: max-signatures value 0 must be a positive number\n']);
  });

  describe('with several signatures', () => {
    let dir: string;
    let layout: string;
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'inspect-'));
      layout = join(dir, 'layout');
      cpSync(join(MADE, 'oci/oci-jws-rsa'), layout, { recursive: true });
      // Every notation-made layout holds the same image, so the COSE envelope of another case signs it too.
      const repo = new OciLayoutRepository(layout);
      const subject = await repo.resolve(SUBJECT);
      await repo.pushSignature('application/cose', readFileSync(join(MADE, 'envelopes/oci-cose-rsa.cose')), subject, {});
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('lists every signature with the branch markers of a streamed tree', async () => {
      const r = await cli(['inspect', '--oci-layout', `layout@${SUBJECT}`], dir);
      expect(r.code).to.equal(0);
      const sigLines = r.stdout.split('\n').filter((l) => /^ {4}[├└]── sha256:/.test(l));
      expect(sigLines).to.have.length(2);
      expect(sigLines[0].startsWith('    ├── sha256:')).to.equal(true);
      expect(sigLines[1].startsWith('    └── sha256:')).to.equal(true);
      // Lines under the first signature continue the vertical bar.
      expect(r.stdout).to.match(/\n {4}├── sha256:[0-9a-f]{64}\n {4}│   ├── signature algorithm: /);
      const json = JSON.parse((await cli(['inspect', '--oci-layout', '-o', 'json', `layout@${SUBJECT}`], dir)).stdout);
      expect(json.signatures.map((s: { signatureEnvelopeType: string }) => s.signatureEnvelopeType).sort()).to.deep.equal(['application/cose', 'application/jose+json']);
    });

    it('stops at --max-signatures and says so on stdout after the output', async () => {
      const r = await cli(['inspect', '--oci-layout', '--max-signatures', '1', `layout@${SUBJECT}`], dir);
      expect(r.code).to.equal(0);
      expect(r.stdout.match(/^ {4}└── sha256:/gm)).to.have.length(1);
      expect(r.stdout.endsWith('\nWarning: exceeded configured limit of max signatures 1 to examine\n')).to.equal(true);
      const json = await cli(['inspect', '--oci-layout', '-o', 'json', '--max-signatures', '1', `layout@${SUBJECT}`], dir);
      const [body, warning] = json.stdout.split('}\nWarning: ');
      expect(JSON.parse(body + '}').signatures).to.have.length(1);
      expect(warning).to.equal('exceeded configured limit of max signatures 1 to examine\n');
    });

    it('skips a signature it cannot parse, shows the others, then fails', async () => {
      const repo = new OciLayoutRepository(layout);
      const { manifestDescriptor } = await repo.pushSignature('application/jose+json', Buffer.from('malformed signature'), await repo.resolve(SUBJECT), {});
      for (const format of ['tree', 'json']) {
        const r = await cli(['inspect', '--oci-layout', '-o', format, `layout@${SUBJECT}`], dir);
        expect(r.code, format).to.equal(1);
        expect(r.stderr, format).to.equal(
          `Warning: Skipping signature ${manifestDescriptor.digest} because of error: invalid character 'm' looking for beginning of value\nError: at least one signature was skipped and not displayed\n`,
        );
        if (format === 'json') expect(JSON.parse(r.stdout).signatures).to.have.length(2);
        else expect(r.stdout.match(/^ {4}[├└]── sha256:/gm)).to.have.length(2);
      }
    });
  });
});
