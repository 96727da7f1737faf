/**
 * The per-signature verification pipeline (checklist 5.2) and the blob variant (5.3).
 *
 * Order and semantics follow notation-go's verifier: integrity -> verification
 * plugin requirements -> authenticity (+ trusted identity) -> expiry -> authentic
 * timestamp -> revocation -> plugin -> descriptor -> user metadata. An enforced
 * failure stops; a logged one is recorded and the next check runs.
 */
import { createHash } from 'node:crypto';
import type { EnvelopeContent, Descriptor, HashAlgorithm } from '../envelope/types.js';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, NODE_HASH, PAYLOAD_CONTENT_TYPE, SIGNING_SCHEME_X509, SIGNING_SCHEME_X509_SA, HEADER } from '../envelope/types.js';
import { parseEnvelope } from '../envelope/index.js';
import type { Certificate } from '../x509/certificate.js';
import {
  NoApplicableTrustPolicyError,
  NotationError,
  SignatureIntegrityError,
  TrustStoreError,
  UserMetadataVerificationFailedError,
  VerificationFailedError,
  VerificationInconclusiveError,
} from '../errors.js';
import { getApplicableOciPolicy, getApplicableBlobPolicy, resolveVerificationLevel, verifyX509TrustedIdentities } from '../trustpolicy/index.js';
import type { OciTrustPolicyDocument, BlobTrustPolicyDocument, TrustPolicyStatement } from '../trustpolicy/index.js';
import type { TrustStoreProvider } from '../truststore/index.js';
import { loadTimestampLib, verifyAuthenticTimestamp } from './authentic-timestamp.js';
import { goDescriptorString, goMap } from './artifact.js';
import { goQuote } from '../x509/goformat.js';
import { rfc1123z, rfc3339 } from '../timestamp/goformat.js';
import { Lru, VerificationCache, identityKey } from './cache.js';
import type { AppliedStatement, ValidationResult, VerificationLevel, VerificationOutcome, ValidationType } from './types.js';
import type { PreparedVerificationPlugin } from '../plugins/verification.js';
import { setOwn } from '../util/own.js';

/** Revocation of a chain, as the revocation module provides it; result per chain. */
export interface ChainRevocationChecker {
  /** Resolves to 'ok' | 'revoked' | 'unknown' with the problematic subject. */
  check(
    chain: Certificate[],
    opts: { purpose: 'codeSigning' | 'timestamping'; signingTime?: Date; signal?: AbortSignal },
  ): Promise<{ result: 'ok' | 'revoked' | 'unknown'; subject?: string; error?: Error }>;
}

/** Plugin hooks (src/plugins provides them); absent means no plugin support. */
export interface VerificationPluginHooks {
  /** Step 3: find the plugin named by the envelope and check version/capabilities. Throws on hard failure. */
  prepare(content: EnvelopeContent, pluginConfig: Record<string, string>): Promise<PreparedPlugin | undefined>;
}
/** A verification plugin after step 3 (its shape is defined by src/plugins). */
export type PreparedPlugin = PreparedVerificationPlugin;

export interface Logger {
  debug?(msg: string): void;
  info?(msg: string): void;
  warn(msg: string): void;
  error?(msg: string): void;
}

export interface VerifierOptions {
  /**
   * The policy documents are configuration: the statement for a reference (or blob
   * policy name) is selected once per Verifier. Make a new Verifier after changing them.
   */
  ociTrustPolicy?: OciTrustPolicyDocument;
  blobTrustPolicy?: BlobTrustPolicyDocument;
  trustStore: TrustStoreProvider;
  /** Revocation for the signing chain; absent = revocation results in "unknown"? No: absent = not checked. */
  revocation?: { codeSigning?: ChainRevocationChecker; timestamping?: ChainRevocationChecker };
  plugins?: VerificationPluginHooks;
  /** Clock (default: Date.now). */
  now?: () => Date;
  logger?: Logger;
}

export interface VerifyOptions {
  /** `<registry>/<repo>@<digest>` or `<scope>@<digest>`: selects the trust policy. */
  artifactReference: string;
  signatureMediaType: string;
  pluginConfig?: Record<string, string>;
  userMetadata?: Record<string, string>;
  signal?: AbortSignal;
}

export interface BlobVerifyOptions {
  signatureMediaType: string;
  /** Statement name; absent = the global policy. */
  trustPolicyName?: string;
  /** When given, must equal the payload's mediaType. */
  contentMediaType?: string;
  pluginConfig?: Record<string, string>;
  userMetadata?: Record<string, string>;
  signal?: AbortSignal;
}

/** Computes the blob descriptor with the hash the envelope's algorithm implies. */
export type BlobDescriptorGenerator = (hash: HashAlgorithm) => Promise<Descriptor> | Descriptor;


export class Verifier {
  private readonly opts: VerifierOptions;
  /** Byte-keyed memo of parsing, chain rules and identity matches (bounded; see cache.ts). */
  private readonly cache = new VerificationCache();
  /**
   * Statement selection per artifact reference / blob policy name: the clone, its
   * resolved level and applied form. The policy documents are configuration: they
   * are read as given to the constructor (change them by making a new Verifier).
   */
  private readonly ociStatements = new Lru<string, StatementMemo>(256);
  private readonly blobStatements = new Lru<string | undefined, StatementMemo>(64);
  constructor(opts: VerifierOptions) {
    this.opts = opts;
  }

  /** The logger given at construction (verifyArtifact logs through it too). */
  get logger(): Logger | undefined {
    return this.opts.logger;
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }

  /** The OCI statement applying to a reference, or a typed error. */
  ociStatement(artifactReference: string): TrustPolicyStatement {
    if (!this.opts.ociTrustPolicy) throw new NoApplicableTrustPolicyError('NO_TRUST_POLICY', 'no OCI trust policy is configured');
    try {
      return getApplicableOciPolicy(this.opts.ociTrustPolicy, artifactReference);
    } catch (e) {
      throw asNoApplicable(e);
    }
  }

  blobStatement(name?: string): TrustPolicyStatement {
    if (!this.opts.blobTrustPolicy) throw new NoApplicableTrustPolicyError('NO_TRUST_POLICY', 'no blob trust policy is configured');
    try {
      return getApplicableBlobPolicy(this.opts.blobTrustPolicy, name);
    } catch (e) {
      throw asNoApplicable(e);
    }
  }

  /** Whether the level for this reference is skip (checked before any registry traffic). */
  skipVerify(artifactReference: string): { skip: boolean; level: VerificationLevel; statement: TrustPolicyStatement } {
    const statement = this.ociStatement(artifactReference);
    const level = resolveVerificationLevel(statement.signatureVerification) as VerificationLevel;
    return { skip: level.name === 'skip', level, statement };
  }

  /** Verifies one OCI signature envelope against the artifact descriptor. */
  async verify(desc: Descriptor, signature: Uint8Array, opts: VerifyOptions): Promise<VerificationOutcome> {
    const outcome = await this.verifySignature(this.statementMemo(this.ociStatements, opts.artifactReference, () => this.ociStatement(opts.artifactReference)), signature, opts);
    if (outcome.error || !outcome.targetArtifact) return outcome;
    const target = outcome.targetArtifact;
    if (target.mediaType !== desc.mediaType || target.digest !== desc.digest || target.size !== desc.size) {
      this.opts.logger?.info?.(`Target artifact in signature payload: ${goDescriptorString(target)}`);
      this.opts.logger?.info?.(`Target artifact that want to be verified: ${goDescriptorString(desc)}`);
      outcome.error = new VerificationFailedError('CONTENT_DESCRIPTOR_MISMATCH', 'content descriptor mismatch');
    }
    return this.checkUserMetadata(outcome, opts.userMetadata);
  }

  /** Verifies a blob signature (checklist 5.3). */
  async verifyBlob(descriptorFor: BlobDescriptorGenerator, signature: Uint8Array, opts: BlobVerifyOptions): Promise<VerificationOutcome> {
    const name = opts.trustPolicyName;
    const outcome = await this.verifySignature(this.statementMemo(this.blobStatements, name ?? undefined, () => this.blobStatement(name)), signature, opts);
    if (outcome.error || !outcome.targetArtifact) return outcome;
    const target = outcome.targetArtifact;
    const desc = await descriptorFor(algorithmHash(outcome.envelopeContent!));
    if (desc.digest !== target.digest || desc.size !== target.size || (opts.contentMediaType && opts.contentMediaType !== target.mediaType)) {
      this.opts.logger?.info?.(`payload present in the signature: ${goDescriptorString(target)}`);
      this.opts.logger?.info?.(`payload derived from the blob: ${goDescriptorString(desc)}`);
      outcome.error = new VerificationFailedError('BLOB_MISMATCH', 'integrity check failed. signature does not match the given blob');
    }
    return this.checkUserMetadata(outcome, opts.userMetadata);
  }

  /**
   * The memoised statement for `key`, selecting it with `select` on a miss. A
   * selection or level that fails is not remembered: it throws again each time.
   */
  private statementMemo<K>(memos: Lru<K, StatementMemo>, key: K, select: () => TrustPolicyStatement): StatementMemo {
    const hit = memos.get(key);
    if (hit) return hit;
    const statement = select();
    const level = resolveVerificationLevel(statement.signatureVerification) as VerificationLevel;
    const memo: StatementMemo = {
      statement,
      level,
      applied: JSON.parse(JSON.stringify(statement)) as AppliedStatement,
      identityKey: identityKey(statement.name, statement.trustedIdentities ?? []),
      seeded: false,
    };
    memos.set(key, memo);
    return memo;
  }

  /** The statement's level, then (unless skip) the per-signature pipeline. */
  private async verifySignature(
    memo: StatementMemo,
    signature: Uint8Array,
    opts: { signatureMediaType: string; pluginConfig?: Record<string, string>; signal?: AbortSignal },
  ): Promise<VerificationOutcome> {
    // Each outcome gets its own copies: callers may keep or change them.
    const level: VerificationLevel = { name: memo.level.name, enforcement: { ...memo.level.enforcement } };
    const outcome: VerificationOutcome = {
      rawSignature: signature,
      signatureMediaType: opts.signatureMediaType,
      verificationLevel: level,
      verificationResults: [],
      statement: cloneJson(memo.applied),
    };
    if (level.name === 'skip') return outcome;
    const err = await this.processSignature(signature, opts.signatureMediaType, memo, opts.pluginConfig ?? {}, outcome, opts.signal);
    if (err) outcome.error = err;
    return outcome;
  }

  /** Every requested `k=v` must be in the signed annotations (extra ones are fine). */
  private checkUserMetadata(outcome: VerificationOutcome, wanted?: Record<string, string>): VerificationOutcome {
    if (!wanted || !outcome.targetArtifact) return outcome;
    const have = outcome.targetArtifact.annotations ?? {};
    const log = this.opts.logger;
    if (Object.keys(wanted).length > 0) {
      log?.debug?.(`Verifying that metadata ${goMap(wanted)} is present in signature`);
      log?.debug?.(`Signature metadata: ${goMap(have)}`);
    }
    for (const [k, v] of Object.entries(wanted)) {
      if (!Object.prototype.hasOwnProperty.call(have, k) || have[k] !== v) {
        log?.error?.(`User required metadata ${k}=${v} is not present in the signature`);
        outcome.error = new UserMetadataVerificationFailedError('USER_METADATA_MISMATCH', 'unable to find specified metadata in the signature');
        break;
      }
    }
    return outcome;
  }

  /** Steps 2-9 of checklist 5.2. Returns the error that stopped verification, if any. */
  private async processSignature(
    signature: Uint8Array,
    mediaType: string,
    memo: StatementMemo,
    pluginConfig: Record<string, string>,
    outcome: VerificationOutcome,
    signal?: AbortSignal,
  ): Promise<Error | undefined> {
    const statement = memo.statement;
    const level = outcome.verificationLevel;
    const log = this.opts.logger;

    // Integrity.
    if (!memo.seeded) {
      memo.seeded = true;
      this.seedTrustedCertificates(statement);
    }
    let content: EnvelopeContent;
    try {
      content = verifyIntegrity(mediaType, signature, this.cache);
    } catch (e) {
      const r = this.record(outcome, resultOf(level, 'integrity', e as Error));
      return r.error;
    }
    outcome.envelopeContent = content;
    this.record(outcome, resultOf(level, 'integrity'));
    let target: Descriptor;
    try {
      target = parseTargetArtifact(content);
    } catch (e) {
      return e as Error;
    }
    outcome.targetArtifact = target;

    // Verification plugin requirements (hard failures at every level).
    let plugin: PreparedPlugin | undefined;
    const pluginName = verificationPluginName(content);
    if (pluginName !== undefined) {
      if (!this.opts.plugins) {
        return new VerificationInconclusiveError('PLUGIN_UNSUPPORTED', 'plugin unsupported due to nil verifier.pluginManager');
      }
      log?.debug?.(`Finding verification plugin ${goQuote(pluginName)}`);
      try {
        plugin = await this.opts.plugins.prepare(content, pluginConfig);
      } catch (e) {
        return e as Error;
      }
    }
    const caps = plugin?.capabilities ?? [];
    // Spec (and our fail-closed rule): a critical extended attribute nobody can process
    // invalidates the signature. notation only checks this when a plugin is named.
    if (!plugin) {
      const unknown = content.signerInfo.signedAttributes.extendedAttributes.filter((a) => a.critical);
      if (unknown.length > 0) {
        const r = outcome.verificationResults.find((x) => x.type === 'integrity')!;
        r.error = new SignatureIntegrityError(
          'UNKNOWN_CRITICAL_ATTRIBUTE',
          `signature has unknown critical attribute(s) ${unknown.map((a) => JSON.stringify(a.key)).join(', ')} and no verification plugin to process them`,
        );
        this.logResult(r);
        return r.error;
      }
    }

    // Authenticity: a trusted certificate must be in the chain (byte-equal).
    const scheme = content.signerInfo.signedAttributes.signingScheme;
    log?.debug?.('Validating cert chain');
    let authenticity: ValidationResult;
    try {
      const trusted = loadTrustStores(this.opts.trustStore, scheme === SIGNING_SCHEME_X509 ? 'ca' : 'signingAuthority', statement);
      authenticity = resultOf(level, 'authenticity', verifyAuthenticity(trusted, content.signerInfo.certificateChain));
    } catch (e) {
      authenticity = resultOf(level, 'authenticity', e as Error);
    }
    this.record(outcome, authenticity);
    if (critical(authenticity)) return authenticity.error;

    if (!caps.includes('SIGNATURE_VERIFIER.TRUSTED_IDENTITY')) {
      log?.debug?.('Validating trust identity');
      const e = this.checkTrustedIdentitiesCached(statement, memo.identityKey, content.signerInfo.certificateChain);
      if (e) {
        authenticity.error = e;
        this.logResult(authenticity);
      }
      if (critical(authenticity)) return authenticity.error;
    }

    // Expiry.
    log?.debug?.('Validating expiry');
    const now = this.now();
    const expiry = content.signerInfo.signedAttributes.expiry;
    const expired = expiry && now.getTime() >= expiry.getTime();
    const expiryResult = this.record(
      outcome,
      resultOf(level, 'expiry', expired ? new VerificationFailedError('SIGNATURE_EXPIRED', `digital signature has expired on "${rfc1123z(expiry)}"`) : undefined),
    );
    if (critical(expiryResult)) return expiryResult.error;

    // Authentic timestamp.
    log?.debug?.('Validating authentic timestamp');
    if (log) logTimestampPlan(log, content, statement, now);
    let tsError: Error | undefined;
    try {
      const timestampLib = content.signerInfo.unsignedAttributes.timestampSignature?.length ? await loadTimestampLib() : undefined;
      const ts = verifyAuthenticTimestamp({
        content,
        statement: { trustStores: statement.trustStores ?? [], signatureVerification: statement.signatureVerification },
        trustStore: this.opts.trustStore,
        now,
        timestampLib,
      });
      const tsaChain = (ts as { tsaChain?: Certificate[] })?.tsaChain;
      if (log && ts?.timestampVerified) logTimestampVerified(log, ts.timestampVerified.range, tsaChain, content.signerInfo.certificateChain, now);
      if (tsaChain && tsaChain.length && this.opts.revocation?.timestamping) {
        log?.debug?.('Checking timestamping certificate chain revocation...');
        let rev;
        try {
          rev = await this.opts.revocation.timestamping.check(tsaChain, { purpose: 'timestamping', signal });
        } catch (e) {
          throw new VerificationFailedError('TSA_REVOCATION_CHECK_FAILED', `failed to check timestamping certificate chain revocation with error: ${(e as Error).message}`, { cause: e });
        }
        if (rev.result === 'revoked') tsError = new VerificationFailedError('TSA_CERT_REVOKED', `timestamping certificate with subject "${rev.subject}" is revoked`);
        else if (rev.result === 'unknown') tsError = new VerificationFailedError('TSA_REVOCATION_UNKNOWN', `timestamping certificate with subject "${rev.subject}" revocation status is unknown`);
        else log?.debug?.('No verification impacting errors encountered while checking timestamping certificate chain revocation, status is OK');
      }
      if (ts?.timestampVerified && !tsError) log?.debug?.('Timestamp verification: Success');
    } catch (e) {
      tsError = e as Error;
    }
    const tsResult = this.record(outcome, resultOf(level, 'authenticTimestamp', tsError));
    if (critical(tsResult)) return tsResult.error;

    // Revocation of the signing chain.
    if (level.enforcement.revocation !== 'skip' && !caps.includes('SIGNATURE_VERIFIER.REVOCATION_CHECK') && this.opts.revocation?.codeSigning) {
      log?.debug?.('Validating revocation');
      let revError: Error | undefined;
      try {
        const rev = await this.opts.revocation.codeSigning.check(content.signerInfo.certificateChain, {
          purpose: 'codeSigning',
          signingTime: scheme === SIGNING_SCHEME_X509_SA ? content.signerInfo.signedAttributes.signingTime : undefined,
          signal,
        });
        if (rev.result === 'revoked') revError = new VerificationFailedError('CERT_REVOKED', `signing certificate with subject "${rev.subject}" is revoked`);
        else if (rev.result === 'unknown') revError = new VerificationFailedError('REVOCATION_UNKNOWN', `signing certificate with subject "${rev.subject}" revocation status is unknown`);
        else log?.debug?.('No verification impacting errors encountered while checking revocation, status is OK');
      } catch (e) {
        revError = new VerificationFailedError('REVOCATION_CHECK_FAILED', `unable to check revocation status, err: ${(e as Error).message}`, { cause: e });
      }
      const r = this.record(outcome, resultOf(level, 'revocation', revError));
      if (critical(r)) return r.error;
    }

    // Verification plugin.
    if (plugin) {
      const toVerify = caps.filter((c) => !(level.enforcement.revocation === 'skip' && c === 'SIGNATURE_VERIFIER.REVOCATION_CHECK'));
      if (toVerify.length < caps.length) log?.debug?.('Skipping the SIGNATURE_VERIFIER.REVOCATION_CHECK validation');
      if (toVerify.length > 0) {
        log?.debug?.(`Executing verification plugin ${goQuote(plugin.name)} with capabilities [${toVerify.join(' ')}]`);
        let resp;
        try {
          resp = await plugin.verify(toVerify, content, [...(statement.trustedIdentities ?? [])], pluginConfig);
        } catch (e) {
          return new VerificationFailedError('PLUGIN_VERIFICATION_FAILED', `failed to verify with plugin ${plugin.name}: ${(e as Error).message}`, { cause: e });
        }
        for (const attr of nonPluginExtendedAttributes(content)) {
          if (!resp.processedAttributes.includes(attr)) {
            return new VerificationFailedError(
              'PLUGIN_ATTRIBUTE_NOT_PROCESSED',
              `extended critical attribute "${attr}" was not processed by the verification plugin "${plugin.name}" (all extended critical attributes must be processed by the verification plugin)`,
            );
          }
        }
        for (const cap of toVerify) {
          const r = resp.verificationResults[cap];
          if (!r) return new VerificationInconclusiveError('PLUGIN_INCONCLUSIVE', `verification plugin "${plugin.name}" failed to verify "${cap}"`);
          if (cap === 'SIGNATURE_VERIFIER.TRUSTED_IDENTITY') {
            if (!r.success) {
              authenticity.error = new VerificationFailedError('PLUGIN_TRUSTED_IDENTITY_FAILED', `trusted identify verification by plugin "${plugin.name}" failed with reason "${r.reason ?? ''}"`);
              if (critical(authenticity)) return authenticity.error;
            }
          } else {
            const rr = this.record(outcome, resultOf(level, 'revocation', r.success ? undefined : new VerificationFailedError('PLUGIN_REVOCATION_FAILED', `revocation check by verification plugin "${plugin.name}" failed with reason "${r.reason ?? ''}"`)));
            if (critical(rr)) return rr.error;
          }
        }
      }
    }
    return undefined;
  }

  private record(outcome: VerificationOutcome, r: ValidationResult): ValidationResult {
    outcome.verificationResults.push(r);
    this.logResult(r);
    return r;
  }

  /**
   * Lets the envelope's copy of a trusted certificate (its root, typically) be
   * the trust store's already parsed instance. Failures are ignored here: the
   * authenticity step loads the stores again and reports them.
   */
  private seedTrustedCertificates(statement: TrustPolicyStatement): void {
    for (const type of ['ca', 'signingAuthority'] as const) {
      try {
        this.cache.seed(loadTrustStores(this.opts.trustStore, type, statement));
      } catch {
        // reported by the authenticity step
      }
    }
  }

  /** checkTrustedIdentities, remembering a leaf that matched this statement's identities. */
  private checkTrustedIdentitiesCached(statement: TrustPolicyStatement, key: string, chain: Certificate[]): Error | undefined {
    const identities = statement.trustedIdentities ?? [];
    if (chain[0] && this.cache.identityMatched(chain[0], key)) return undefined;
    const e = checkTrustedIdentities(statement.name, identities, chain);
    if (!e && chain[0]) this.cache.markIdentityMatched(chain[0], key);
    return e;
  }

  private logResult(r: ValidationResult): void {
    const log = this.opts.logger;
    if (!log || !r.error) return;
    if (r.action === 'log') log.warn(`${r.type} validation failed with validation action set to "logged". Failure reason: ${r.error.message}`);
    else if (r.action === 'enforce') (log.error ?? log.warn).call(log, `${r.type} validation failed. Failure reason: ${r.error.message}`);
  }
}

function resultOf(level: VerificationLevel, type: ValidationType, error?: Error): ValidationResult {
  return { type, action: level.enforcement[type], error };
}

/** A deep copy of a JSON value (3x cheaper than a JSON round trip); "__proto__" stays a data key. */
function cloneJson<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = cloneJson((v as Record<string, unknown>)[k]);
    setOwn(out, k, x);
  }
  return out as T;
}

/** An enforced check that failed stops verification. */
function critical(r: ValidationResult): boolean {
  return r.action === 'enforce' && !!r.error;
}

interface StatementMemo {
  /** The verifier's own clone of the statement (never handed out). */
  statement: TrustPolicyStatement;
  level: VerificationLevel;
  /** The statement as JSON would give it; each outcome gets its own copy (cloneJson). */
  applied: AppliedStatement;
  identityKey: string;
  /** Whether its trust stores' certificates were seeded into the certificate cache. */
  seeded: boolean;
}

function asNoApplicable(e: unknown): Error {
  if (e instanceof NoApplicableTrustPolicyError) return e;
  const msg = (e as Error)?.message ?? String(e);
  return new NoApplicableTrustPolicyError((e as NotationError)?.code ?? 'NO_APPLICABLE_TRUST_POLICY', msg, { cause: e });
}

/** Parses and verifies the envelope; errors are integrity failures with notation's wording. */
export function verifyIntegrity(mediaType: string, signature: Uint8Array, cache?: VerificationCache): EnvelopeContent {
  let env;
  try {
    env = parseEnvelope(mediaType, signature, { cache });
  } catch (e) {
    throw new SignatureIntegrityError((e as NotationError).code ?? 'MALFORMED_ENVELOPE', `unable to parse the digital signature, error : ${(e as Error).message}`, { cause: e });
  }
  const content = env.verify();
  if (content.payload.contentType !== PAYLOAD_CONTENT_TYPE) {
    throw new SignatureIntegrityError('UNSUPPORTED_PAYLOAD_CONTENT_TYPE', `payload content type "${content.payload.contentType}" not supported`);
  }
  return content;
}

const MAX_PAYLOAD = 1024 * 1024;

/** The payload's targetArtifact, parsed only after the signature verified. */
export function parseTargetArtifact(content: EnvelopeContent): Descriptor {
  const bytes = content.payload.content;
  if (bytes.length > MAX_PAYLOAD) throw new SignatureIntegrityError('MALFORMED_PAYLOAD', 'signature payload is too large');
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')); // a view, not a copy
  } catch (e) {
    throw new SignatureIntegrityError('MALFORMED_PAYLOAD', `signature payload is not valid JSON: ${(e as Error).message}`);
  }
  const t = (doc as { targetArtifact?: unknown })?.targetArtifact as Record<string, unknown> | undefined;
  if (!t || typeof t !== 'object' || typeof t.mediaType !== 'string' || typeof t.digest !== 'string' || typeof t.size !== 'number') {
    throw new SignatureIntegrityError('MALFORMED_PAYLOAD', 'signature payload has no valid targetArtifact descriptor');
  }
  const ann = t.annotations;
  if (ann !== undefined && ann !== null && (typeof ann !== 'object' || Object.values(ann as object).some((v) => typeof v !== 'string'))) {
    throw new SignatureIntegrityError('MALFORMED_PAYLOAD', 'signature payload has malformed targetArtifact annotations');
  }
  return t as unknown as Descriptor;
}

function algorithmHash(content: EnvelopeContent): HashAlgorithm {
  const alg = content.signerInfo.signatureAlgorithm;
  return alg.endsWith('256') ? 'SHA-256' : alg.endsWith('384') ? 'SHA-384' : 'SHA-512';
}

/** Hash helper for blob descriptors. */
export function digestOf(hash: HashAlgorithm, data: Uint8Array): string {
  return `${NODE_HASH[hash]}:${createHash(NODE_HASH[hash]).update(data).digest('hex')}`;
}

/** Loads every distinct store of `type` named by the statement (notation-go loadX509TrustStoresWithType). */
export function loadTrustStores(store: TrustStoreProvider, type: 'ca' | 'signingAuthority' | 'tsa', statement: { name: string; trustStores?: string[] }): Certificate[] {
  const seen = new Set<string>();
  const out: Certificate[] = [];
  for (const ts of statement.trustStores ?? []) {
    if (seen.has(ts)) continue;
    const i = ts.indexOf(':');
    if (i < 0) {
      throw new TrustStoreError(
        'TRUST_STORE_MISSING_SEPARATOR',
        `error while loading the trust store, trust policy statement "${statement.name}" is missing separator in trust store value "${ts}". The required format is <TrustStoreType>:<TrustStoreName>`,
      );
    }
    if (ts.slice(0, i) !== type) continue;
    out.push(...store.getCertificates(type, ts.slice(i + 1)));
    seen.add(ts);
  }
  return out;
}

const view = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength); // no copy

function verifyAuthenticity(trusted: Certificate[], chain: Certificate[]): Error | undefined {
  if (trusted.length === 0) return new VerificationInconclusiveError('NO_TRUSTED_CERTIFICATES', 'no trusted certificates are found to verify authenticity');
  for (const t of trusted) {
    for (const c of chain) if (t === c || (t.raw.length === c.raw.length && view(t.raw).equals(view(c.raw)))) return undefined;
  }
  return new VerificationFailedError('UNTRUSTED_SIGNER', "the signature's certificate chain does not contain any trusted certificate");
}

/** Trusted-identity check (part of authenticity); the error, if any, with notation's text. */
function checkTrustedIdentities(policyName: string, identities: string[], chain: Certificate[]): Error | undefined {
  try {
    verifyX509TrustedIdentities(policyName, identities, chain[0]);
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

function verificationPluginName(content: EnvelopeContent): string | undefined {
  const a = content.signerInfo.signedAttributes.extendedAttributes.find((x) => x.key === HEADER.verificationPlugin);
  if (!a) return undefined;
  return typeof a.value === 'string' ? a.value : String(a.value);
}

function nonPluginExtendedAttributes(content: EnvelopeContent): string[] {
  return content.signerInfo.signedAttributes.extendedAttributes
    .map((a) => a.key)
    .filter((k) => k !== HEADER.verificationPlugin && k !== HEADER.verificationPluginMinVersion);
}

/**
 * notation's log lines on whether the timestamp countersignature is checked
 * (verifyAuthenticTimestamp decides the same way; this only reports the decision).
 */
function logTimestampPlan(log: Logger, content: EnvelopeContent, statement: TrustPolicyStatement, now: Date): void {
  if (content.signerInfo.signedAttributes.signingScheme !== SIGNING_SCHEME_X509) {
    log.debug?.('Under signing scheme notary.x509.signingAuthority...');
    return;
  }
  log.debug?.('Under signing scheme notary.x509...');
  let tsa = false;
  for (const ts of statement.trustStores ?? []) {
    const i = ts.indexOf(':');
    if (i < 0) return; // the step reports the malformed value
    if (ts.slice(0, i) === 'tsa') {
      tsa = true;
      break;
    }
  }
  if (!tsa) log.info?.('Timestamp verification disabled: no tsa trust store is configured in trust policy');
  else if (statement.signatureVerification.verifyTimestamp === 'afterCertExpiry' && !content.signerInfo.certificateChain.some((c) => now.getTime() > c.notAfter.getTime())) {
    log.info?.('Timestamp verification disabled: verifyTimestamp is set to "afterCertExpiry" and signing cert chain unexpired');
  } else {
    log.debug?.('Performing timestamp verification...');
    log.debug?.('Checking timestamp countersignature existence...');
  }
}

/** notation's debug lines of a countersignature that verified (logged after the fact). */
function logTimestampVerified(log: Logger, range: [Date, Date], tsaChain: Certificate[] | undefined, signingChain: Certificate[], now: Date): void {
  log.debug?.('Verifying the timestamp countersignature...');
  log.debug?.('Validating timestamping certificate chain...');
  if (tsaChain?.[0]) log.debug?.(`The subject of TSA signing certificate is: ${tsaChain[0].subject}`);
  log.debug?.('Checking the timestamp against the signing certificate chain...');
  log.debug?.(`Timestamp range: [${rfc3339(range[0])}, ${rfc3339(range[1])}]`);
  for (const c of signingChain) {
    if (now.getTime() > c.notAfter.getTime()) log.debug?.(`Certificate ${goQuote(c.subject)} expired at ${goQuote(rfc1123z(c.notAfter))}, but timestamp is within certificate validity period`);
  }
}

export const SUPPORTED_ENVELOPE_MEDIA_TYPES = [MEDIA_TYPE_JWS, MEDIA_TYPE_COSE];
