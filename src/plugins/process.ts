/**
 * Runs a plugin executable for one command: `notation-<name> <command>`, request JSON
 * on stdin, response JSON on stdout with exit 0; on a non-zero exit the stderr error
 * JSON becomes a typed error (checklist 7.1). stdout and stderr are capped, and the
 * process is killed on timeout or abort. No shell is involved.
 */
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { PluginError } from '../errors.js';
import { PluginErrorCodes } from './errors.js';
import { BINARY_PREFIX, marshalRequest, parsePluginError, parseResponse, type Command, type RequestOf, type ResponseOf } from './protocol.js';

/** REF caps each of stdout and stderr at 64 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/** REF has no per-call timeout; we bound every call. Signing plugins may talk to a KMS or HSM. */
export const DEFAULT_TIMEOUT_MS = 5 * 60 * 1000;

export interface PluginProcessOptions {
  timeoutMs?: number;
  maxOutputBytes?: number;
  /** Name used in messages (default: the executable name without "notation-"). */
  name?: string;
  /** Environment for the child; inherited when absent. */
  env?: Record<string, string>;
}

export interface RunOptions {
  signal?: AbortSignal;
}

export interface RawOutput {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

export class PluginProcess {
  readonly path: string;
  readonly name: string;
  private readonly timeoutMs: number;
  private readonly maxOutputBytes: number;
  private readonly env?: Record<string, string>;

  constructor(path: string, options: PluginProcessOptions = {}) {
    this.path = path;
    const base = basename(path).replace(/\.exe$/i, '');
    this.name = options.name ?? (base.startsWith(BINARY_PREFIX) ? base.slice(BINARY_PREFIX.length) : base);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    if (options.env) this.env = options.env;
  }

  /** Sends a typed request and returns the decoded response, or throws a PluginError. */
  async run<C extends Command>(command: C, request: RequestOf[C], options: RunOptions = {}): Promise<ResponseOf[C]> {
    const out = await this.exec(command, Buffer.from(marshalRequest(command, request), 'utf8'), options);
    if (out.exitCode !== 0) {
      const what = out.signal ? `signal ${out.signal}` : `exit status ${out.exitCode}`;
      if (out.stderr.length === 0) {
        throw new PluginError(
          PluginErrorCodes.executableError,
          `failed to execute the ${command} command for plugin ${this.name}: executable error (${what}, empty stderr)`,
        );
      }
      const pe = parsePluginError(out.stderr.toString('utf8'));
      if (!pe) {
        throw new PluginError(
          PluginErrorCodes.malformed,
          `failed to execute the ${command} command for plugin ${this.name}: malformed plugin (${what}, stderr is not error JSON: ${preview(out.stderr)})`,
        );
      }
      throw pe;
    }
    return parseResponse(command, out.stdout.toString('utf8'), this.name);
  }

  /** Runs the executable with raw stdin; enforces the caps and the timeout. */
  exec(command: string, stdin: Uint8Array, options: RunOptions = {}): Promise<RawOutput> {
    return new Promise<RawOutput>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new PluginError(PluginErrorCodes.timeout, `'${this.path} ${command}' command execution aborted`, { cause: options.signal.reason }));
        return;
      }
      let settled = false;
      const finish = (err: Error | undefined, value?: RawOutput) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(value!);
      };
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(this.path, [command], { stdio: ['pipe', 'pipe', 'pipe'], shell: false, windowsHide: true, ...(this.env ? { env: this.env } : {}) });
      } catch (e) {
        reject(new PluginError(PluginErrorCodes.executableError, `failed to execute the ${command} command for plugin ${this.name}: ${(e as Error).message}`, { cause: e }));
        return;
      }
      const kill = (err: Error) => {
        try {
          child.kill('SIGKILL');
        } catch {
          /* already gone */
        }
        finish(err);
      };
      const timer = setTimeout(
        () => kill(new PluginError(PluginErrorCodes.timeout, `'${this.path} ${command}' command execution timeout: no response from plugin ${this.name} within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      const onAbort = () => kill(new PluginError(PluginErrorCodes.timeout, `'${this.path} ${command}' command execution aborted`, { cause: options.signal?.reason }));
      options.signal?.addEventListener('abort', onAbort, { once: true });

      const collect = (stream: NodeJS.ReadableStream | null, label: string) => {
        const chunks: Buffer[] = [];
        let size = 0;
        stream?.on('data', (c: Buffer) => {
          if (settled) return;
          size += c.length;
          if (size > this.maxOutputBytes) {
            kill(new PluginError(PluginErrorCodes.outputTooLarge, `plugin ${this.name} wrote more than ${this.maxOutputBytes} bytes to ${label} for the ${command} command`));
            return;
          }
          chunks.push(c);
        });
        return () => Buffer.concat(chunks, Math.min(size, this.maxOutputBytes));
      };
      const stdout = collect(child.stdout, 'stdout');
      const stderr = collect(child.stderr, 'stderr');
      child.on('error', (e) =>
        finish(new PluginError(PluginErrorCodes.executableError, `failed to execute the ${command} command for plugin ${this.name}: ${e.message}`, { cause: e })),
      );
      child.on('close', (code, signal) => finish(undefined, { exitCode: code, signal, stdout: stdout(), stderr: stderr() }));
      // A plugin may exit without reading stdin; EPIPE is then not our failure.
      child.stdin?.on('error', () => {});
      child.stdin?.end(Buffer.from(stdin));
    });
  }
}

function preview(b: Buffer): string {
  const s = b.subarray(0, 200).toString('utf8').replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(b.length > 200 ? s + '...' : s);
}
