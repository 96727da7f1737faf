import { expect } from 'chai';
import { progress, PROGRESS_THRESHOLD } from '../src/cli/progress.js';

describe('CLI progress', () => {
  it('is silent when the output is not a terminal', () => {
    let out = '';
    const p = progress({ write: (s) => void (out += s) }, false, 'Hashing x', PROGRESS_THRESHOLD * 2);
    p.advance(PROGRESS_THRESHOLD);
    p.done();
    expect(out).to.equal('');
  });
  it('is silent for small operations even on a terminal', () => {
    let out = '';
    const p = progress({ write: (s) => void (out += s) }, true, 'Hashing x', 1024);
    p.advance(1024);
    p.done();
    expect(out).to.equal('');
  });
  it('redraws one line on a terminal and clears it at the end', () => {
    let out = '';
    let t = 0;
    const total = PROGRESS_THRESHOLD * 2;
    const p = progress({ write: (s) => void (out += s) }, true, 'Hashing big.bin', total, () => (t += 1000));
    p.advance(total / 2);
    p.advance(total / 2);
    p.done();
    expect(out).to.contain('\rHashing big.bin: 64.0 MiB / 128.0 MiB (50%)');
    expect(out).to.contain('(100%)');
    expect(out.endsWith('\r\x1b[2K')).to.equal(true);
  });
});

describe('CLI progress for downloads (big CRLs)', () => {
  it('shows a download line on a terminal and nothing otherwise', async () => {
    const http = await import('node:http');
    const { downloadFetcher } = await import('../src/cli/common.js');
    const body = Buffer.alloc(3 * 1024 * 1024, 7);
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/big.crl`;
    try {
      for (const isTTY of [true, false]) {
        let err = '';
        const ctx = { isTTY, stderr: { write: (s: string) => void (err += s) } } as never;
        const fetcher = await downloadFetcher(ctx);
        const r = await fetcher(url, { method: 'GET', timeoutMs: 5000, maxBytes: 32 * 1024 * 1024 });
        expect(r.body.length).to.equal(body.length);
        if (isTTY) {
          expect(err).to.contain(`Downloading ${url}: `);
          expect(err).to.contain('3.0 MiB / 3.0 MiB (100%)');
          expect(err.endsWith('\r\x1b[2K')).to.equal(true);
        } else expect(err).to.equal('');
      }
    } finally {
      server.close();
    }
  });
});
