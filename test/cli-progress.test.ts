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
