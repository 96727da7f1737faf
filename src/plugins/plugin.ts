/**
 * The Plugin interface (one method per command, as notation-go's plugin.Plugin) and
 * its process-backed implementation. Metadata is fetched on every call, never cached
 * (REF), and validated: all fields non-empty, contract 1.0 supported, name equal to
 * the directory name.
 */
import { basename } from 'node:path';
import { PluginError } from '../errors.js';
import { PluginErrorCodes } from './errors.js';
import { PluginProcess, type PluginProcessOptions, type RunOptions } from './process.js';
import {
  BINARY_PREFIX,
  CONTRACT_VERSION,
  validateMetadata,
  type DescribeKeyRequest,
  type DescribeKeyResponse,
  type GenerateEnvelopeRequest,
  type GenerateEnvelopeResponse,
  type GenerateSignatureRequest,
  type GenerateSignatureResponse,
  type GetMetadataRequest,
  type GetMetadataResponse,
  type VerifySignatureRequest,
  type VerifySignatureResponse,
} from './protocol.js';

export interface Plugin {
  /** The name the plugin was located by (its directory name). */
  readonly name: string;
  getMetadata(request?: GetMetadataRequest, options?: RunOptions): Promise<GetMetadataResponse>;
  describeKey(request: DescribeKeyRequest, options?: RunOptions): Promise<DescribeKeyResponse>;
  generateSignature(request: GenerateSignatureRequest, options?: RunOptions): Promise<GenerateSignatureResponse>;
  generateEnvelope(request: GenerateEnvelopeRequest, options?: RunOptions): Promise<GenerateEnvelopeResponse>;
  verifySignature(request: VerifySignatureRequest, options?: RunOptions): Promise<VerifySignatureResponse>;
}

export function binName(name: string): string {
  return BINARY_PREFIX + name + (process.platform === 'win32' ? '.exe' : '');
}

/** A plugin executable run once per command. Construct through PluginManager.get(). */
export class CLIPlugin implements Plugin {
  readonly name: string;
  readonly path: string;
  private readonly proc: PluginProcess;

  constructor(name: string, path: string, options: PluginProcessOptions = {}) {
    this.name = name;
    this.path = path;
    this.proc = new PluginProcess(path, { ...options, name });
  }

  async getMetadata(request: GetMetadataRequest = {}, options?: RunOptions): Promise<GetMetadataResponse> {
    const m = await this.proc.run('get-plugin-metadata', request, options);
    validateMetadata(m, this.name);
    if (m.name !== this.name) {
      throw new PluginError(
        PluginErrorCodes.nameMismatch,
        `plugin executable file name must be "${binName(m.name)}" instead of "${basename(this.path)}"`,
      );
    }
    return m;
  }

  describeKey(request: DescribeKeyRequest, options?: RunOptions): Promise<DescribeKeyResponse> {
    return this.proc.run('describe-key', { ...request, contractVersion: request.contractVersion || CONTRACT_VERSION }, options);
  }

  generateSignature(request: GenerateSignatureRequest, options?: RunOptions): Promise<GenerateSignatureResponse> {
    return this.proc.run('generate-signature', { ...request, contractVersion: request.contractVersion || CONTRACT_VERSION }, options);
  }

  generateEnvelope(request: GenerateEnvelopeRequest, options?: RunOptions): Promise<GenerateEnvelopeResponse> {
    return this.proc.run('generate-envelope', { ...request, contractVersion: request.contractVersion || CONTRACT_VERSION }, options);
  }

  verifySignature(request: VerifySignatureRequest, options?: RunOptions): Promise<VerifySignatureResponse> {
    return this.proc.run('verify-signature', { ...request, contractVersion: request.contractVersion || CONTRACT_VERSION }, options);
  }
}
