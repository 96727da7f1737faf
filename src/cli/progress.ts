/**
 * Progress for long operations (hashing a large blob, pushing large blobs, big
 * CRLs): a single self-rewriting line on a TTY, nothing at all otherwise, so
 * scripts and logs see exactly notation's output.
 */
import type { Output } from './context.js';

export interface Progress {
  /** Adds `n` done units. */
  advance(n: number): void;
  /** Clears the line. */
  done(): void;
}

const QUIET: Progress = { advance() {}, done() {} };
/** Below this size an operation is fast enough that a progress line is only noise. */
export const PROGRESS_THRESHOLD = 64 * 1024 * 1024;

function human(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export function progress(out: Output, isTTY: boolean, label: string, total: number, now: () => number = Date.now, threshold = PROGRESS_THRESHOLD): Progress {
  if (!isTTY || total < threshold) return QUIET;
  let done = 0;
  let last = 0;
  let shown = false;
  return {
    advance(n) {
      done += n;
      const t = now();
      if (t - last < 100 && done < total) return; // at most 10 redraws a second
      last = t;
      shown = true;
      const pct = total ? Math.min(100, Math.floor((done / total) * 100)) : 0;
      out.write(`\r${label}: ${human(done)} / ${human(total)} (${pct}%)`);
    },
    done() {
      if (shown) out.write('\r\x1b[2K');
    },
  };
}

/** Downloads (CRLs) are slow long before they are big: show progress from 1 MiB. */
export const DOWNLOAD_PROGRESS_THRESHOLD = 1024 * 1024;
