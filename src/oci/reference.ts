/**
 * References as notation parses them: OCI layout `<path>@<digest>` / `<path>:<tag>`
 * (cmd/notation/manifest.go) and registry `host[:port]/repo[:tag|@digest]`
 * (oras-go v2 registry.ParseReference, which notation v1.3/v2 use).
 */
import { RepositoryError } from '../errors.js';
import { digestProblem, isDigest } from './digest.js';
import { goQuote } from '../x509/goformat.js';
export { goQuote };


export interface OciLayoutReference {
  /** Directory of the OCI image layout. */
  path: string;
  /** Tag or digest inside the layout. */
  reference: string;
  /** True when `reference` is a digest. */
  isDigest: boolean;
}

const LAYOUT_EXPECTING = 'Expecting <file_path>:<tag> or <file_path>@<digest>';

/** Splits at the last '@', else at the last ':' (a Windows drive `C:\` is not a tag). */
export function parseOciLayoutReference(raw: string): OciLayoutReference {
  let path: string;
  let reference: string;
  const at = raw.lastIndexOf('@');
  if (at !== -1) {
    path = raw.slice(0, at);
    reference = raw.slice(at + 1);
  } else {
    const colon = raw.lastIndexOf(':');
    const windowsDrive = colon === 1 && raw.length > 2 && /^\p{L}$/u.test(raw[0]!) && raw[2] === '\\';
    if (colon === -1 || windowsDrive) {
      throw new RepositoryError('MISSING_REFERENCE', `${goQuote(raw)}: invalid reference: missing tag or digest. ${LAYOUT_EXPECTING}`);
    }
    path = raw.slice(0, colon);
    reference = raw.slice(colon + 1);
  }
  if (path === '') {
    throw new RepositoryError('INVALID_REFERENCE', `${goQuote(raw)}: invalid reference: missing oci-layout file path. ${LAYOUT_EXPECTING}`);
  }
  if (reference === '') {
    throw new RepositoryError('MISSING_REFERENCE', `${goQuote(raw)}: invalid reference: missing tag or digest. ${LAYOUT_EXPECTING}`);
  }
  return { path, reference, isDigest: isDigest(reference) };
}

export interface RegistryReference {
  /** Registry host, optionally with port, as written (e.g. `localhost:5000`). */
  registry: string;
  /** Repository path (e.g. `library/alpine`). */
  repository: string;
  /** Tag or digest; '' when the reference has neither. */
  reference: string;
  tag?: string;
  digest?: string;
}

const REPOSITORY_RE = /^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
// What Go's url.ParseRequestURI("dummy://"+registry) keeps as the whole host.
const REGISTRY_RE = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=%]+|\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9.]+)?\])(?::[0-9]*)?$/;
const REGISTRY_EXPECTING = 'Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>';

function invalidRef(raw: string, why: string): RepositoryError {
  return new RepositoryError('INVALID_REFERENCE', `${goQuote(raw)}: invalid reference: ${why}. ${REGISTRY_EXPECTING}`);
}

/**
 * Parses `host[:port]/repo[:tag|@digest]` like oras-go v2: a tag before `@digest`
 * is dropped; registry, repository and tag/digest are validated. With
 * `requireReference`, a reference without tag or digest is refused as notation does.
 */
export function parseRegistryReference(raw: string, opts: { requireReference?: boolean } = {}): RegistryReference {
  const slash = raw.indexOf('/');
  if (slash === -1) throw invalidRef(raw, 'missing registry or repository');
  const registry = raw.slice(0, slash);
  const path = raw.slice(slash + 1);
  let repository: string;
  let reference = '';
  let isTag = false;
  const at = path.indexOf('@');
  if (at !== -1) {
    repository = path.slice(0, at);
    reference = path.slice(at + 1);
    const colon = repository.indexOf(':');
    if (colon !== -1) repository = repository.slice(0, colon);
  } else if (path.indexOf(':') !== -1) {
    const colon = path.indexOf(':');
    isTag = true;
    repository = path.slice(0, colon);
    reference = path.slice(colon + 1);
  } else {
    repository = path;
  }
  if (!REGISTRY_RE.test(registry) || registry === '') throw invalidRef(raw, `invalid registry ${goQuote(registry)}`);
  if (!REPOSITORY_RE.test(repository)) throw invalidRef(raw, `invalid repository ${goQuote(repository)}`);
  if (reference !== '') {
    if (isTag) {
      if (!TAG_RE.test(reference)) throw invalidRef(raw, `invalid tag ${goQuote(reference)}`);
    } else {
      const p = digestProblem(reference);
      if (p) throw invalidRef(raw, `invalid digest ${goQuote(reference)}: ${p}`);
    }
  } else if (opts.requireReference) {
    throw new RepositoryError('MISSING_REFERENCE', `${goQuote(raw)}: invalid reference: no tag or digest. ${REGISTRY_EXPECTING}`);
  }
  const out: RegistryReference = { registry, repository, reference };
  if (reference !== '') {
    if (isTag) out.tag = reference;
    else out.digest = reference;
  }
  return out;
}

/** `registry/repository` plus `@digest` or `:tag` when present. */
export function formatRegistryReference(r: RegistryReference): string {
  const base = `${r.registry}/${r.repository}`;
  if (!r.reference) return base;
  return isDigest(r.reference) ? `${base}@${r.reference}` : `${base}:${r.reference}`;
}

/** The host to contact: Docker Hub's `docker.io` is served by `registry-1.docker.io`. */
export function registryHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}
