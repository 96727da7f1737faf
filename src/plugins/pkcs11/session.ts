/**
 * Modules, tokens and sessions, shared process-wide.
 *
 * A PKCS#11 module may be initialised once per process, and a login is per
 * (application, token), not per session. So modules are kept by path and tokens by
 * (module, slot), reference-counted by the signers using them; the last close
 * logs out, closes the sessions and finalises the module.
 *
 * A session runs one operation at a time (C_SignInit..C_Sign), so each token keeps a
 * small pool of sessions and hands each out to one signature at a time; more
 * concurrent signatures than sessions wait in line. C_Sign runs on a worker thread
 * (pkcs11js async API) so the event loop is not blocked by the token; the module is
 * initialised with CKF_OS_LOCKING_OK to allow that.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as GrapheneNs from 'graphene-pk11';
import type * as Pkcs11jsNs from 'pkcs11js';
import { Pkcs11Error, Pkcs11ErrorCodes, ckrName, nativeReason } from './errors.js';
import type { Pkcs11Uri } from './uri.js';

// graphene-pk11 and pkcs11js are CommonJS with a native addon; load them on first
// use so that importing this module never needs the addon.
const require = createRequire(import.meta.url);
let libs: { graphene: typeof GrapheneNs; pkcs11js: typeof Pkcs11jsNs } | undefined;
export function pkcs11Libs(): { graphene: typeof GrapheneNs; pkcs11js: typeof Pkcs11jsNs } {
  if (!libs) {
    try {
      libs = { graphene: require('graphene-pk11') as typeof GrapheneNs, pkcs11js: require('pkcs11js') as typeof Pkcs11jsNs };
    } catch (e) {
      throw new Pkcs11Error(
        Pkcs11ErrorCodes.moduleLoadFailed,
        `PKCS#11 support is not available: graphene-pk11/pkcs11js could not be loaded (${(e as Error).message}); reinstall notation-ts so its native addon is built`,
        { cause: e },
      );
    }
  }
  return libs;
}

export type Session = GrapheneNs.Session;
export type Slot = GrapheneNs.Slot;

/** Sessions per token: enough for concurrent signing without hoarding token sessions. */
export const MAX_SESSIONS_PER_TOKEN = 4;
/** Most slots we look at in one module. */
export const MAX_SLOTS = 256;

interface LoadedModule {
  path: string;
  module: GrapheneNs.Module;
  refs: number;
}

const modules = new Map<string, LoadedModule>();
const tokens = new Map<string, TokenHandle>();
/** Per-process key so the PIN comparison below never keeps the PIN itself. */
const pinKey = randomBytes(32);

function pinTag(pin: string): string {
  return createHmac('sha256', pinKey).update(pin, 'utf8').digest('hex');
}

function acquireModule(path: string): LoadedModule {
  let m = modules.get(path);
  if (!m) {
    const { graphene, pkcs11js } = pkcs11Libs();
    let module: GrapheneNs.Module;
    try {
      module = graphene.Module.load(path, path);
    } catch (e) {
      throw new Pkcs11Error(Pkcs11ErrorCodes.moduleLoadFailed, `failed to load PKCS#11 module ${path}: ${(e as Error).message}`, { cause: e });
    }
    try {
      module.initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    } catch (e) {
      try {
        module.close();
      } catch {
        /* nothing more to release */
      }
      throw new Pkcs11Error(Pkcs11ErrorCodes.moduleLoadFailed, `failed to initialise PKCS#11 module ${path}: ${nativeReason(e)}`, { cause: e });
    }
    m = { path, module, refs: 0 };
    modules.set(path, m);
  }
  m.refs++;
  return m;
}

function releaseModule(m: LoadedModule): void {
  if (--m.refs > 0) return;
  modules.delete(m.path);
  try {
    m.module.finalize();
  } catch {
    /* the module may already be finalised by a crash of the token; nothing to do */
  }
  try {
    m.module.close();
  } catch {
    /* idem */
  }
}

/** Little-endian CK_ULONG handle bytes to a number (slot ids are CK_ULONG). */
export function handleToBigInt(h: Buffer): bigint {
  let v = 0n;
  for (let i = h.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(h[i]!);
  return v;
}

export interface TokenDescription {
  slotId: bigint;
  label: string;
  manufacturer: string;
  serial: string;
  model: string;
}

function describeSlots(module: GrapheneNs.Module): { slot: Slot; token: GrapheneNs.Token; info: TokenDescription }[] {
  const { graphene } = pkcs11Libs();
  const slots = module.getSlots(true);
  const out: { slot: Slot; token: GrapheneNs.Token; info: TokenDescription }[] = [];
  for (let i = 0; i < Math.min(slots.length, MAX_SLOTS); i++) {
    const slot = slots.items(i);
    let token: GrapheneNs.Token;
    try {
      token = slot.getToken();
    } catch {
      continue; // removed between C_GetSlotList and C_GetTokenInfo
    }
    if ((token.flags & graphene.TokenFlag.TOKEN_INITIALIZED) === 0) continue;
    out.push({
      slot,
      token,
      info: { slotId: handleToBigInt(slot.handle), label: token.label, manufacturer: token.manufacturerID, serial: token.serialNumber, model: token.model },
    });
  }
  return out;
}

function matches(uri: Pkcs11Uri, s: { slot: Slot; info: TokenDescription }, module: GrapheneNs.Module): boolean {
  const i = s.info;
  if (uri.token !== undefined && uri.token !== i.label) return false;
  if (uri.manufacturer !== undefined && uri.manufacturer !== i.manufacturer) return false;
  if (uri.serial !== undefined && uri.serial !== i.serial) return false;
  if (uri.model !== undefined && uri.model !== i.model) return false;
  if (uri.slotId !== undefined && uri.slotId !== i.slotId) return false;
  if (uri.slotDescription !== undefined && uri.slotDescription !== s.slot.slotDescription) return false;
  if (uri.slotManufacturer !== undefined && uri.slotManufacturer !== s.slot.manufacturerID) return false;
  if (uri.libraryManufacturer !== undefined && uri.libraryManufacturer !== module.manufacturerID) return false;
  if (uri.libraryDescription !== undefined && uri.libraryDescription !== module.libraryDescription) return false;
  if (uri.libraryVersion !== undefined) {
    const v = module.libraryVersion;
    const [maj, min] = uri.libraryVersion.split('.');
    if (Number(maj) !== v.major || Number(min ?? '0') !== v.minor) return false;
  }
  return true;
}

function tokenSelector(uri: Pkcs11Uri): string {
  const parts: string[] = [];
  if (uri.token !== undefined) parts.push(`token=${JSON.stringify(uri.token)}`);
  if (uri.serial !== undefined) parts.push(`serial=${JSON.stringify(uri.serial)}`);
  if (uri.slotId !== undefined) parts.push(`slot-id=${uri.slotId}`);
  if (uri.manufacturer !== undefined) parts.push(`manufacturer=${JSON.stringify(uri.manufacturer)}`);
  if (uri.model !== undefined) parts.push(`model=${JSON.stringify(uri.model)}`);
  return parts.length ? parts.join(', ') : 'any token';
}

/** One token of one module, its login state and its session pool. */
export class TokenHandle {
  readonly key: string;
  readonly label: string;
  readonly slot: Slot;
  readonly modulePath: string;
  private readonly loaded: LoadedModule;
  private readonly sessions: Session[] = [];
  private readonly idle: Session[] = [];
  private readonly waiters: Array<(s: Session) => void> = [];
  private refs = 0;
  private loginTag: string | undefined;
  private closed = false;

  private constructor(key: string, loaded: LoadedModule, slot: Slot, label: string) {
    this.key = key;
    this.loaded = loaded;
    this.slot = slot;
    this.label = label;
    this.modulePath = loaded.path;
  }

  /** Finds the one token the URI selects in module `path` and takes a reference on it. */
  static acquire(path: string, uri: Pkcs11Uri): TokenHandle {
    const loaded = acquireModule(path);
    try {
      let all: ReturnType<typeof describeSlots>;
      try {
        all = describeSlots(loaded.module);
      } catch (e) {
        throw new Pkcs11Error(Pkcs11ErrorCodes.tokenNotFound, `failed to list the tokens of PKCS#11 module ${path}: ${nativeReason(e)}`, { cause: e });
      }
      const found = all.filter((s) => matches(uri, s, loaded.module));
      const available = all.map((s) => JSON.stringify(s.info.label)).join(', ') || 'none';
      if (found.length === 0) {
        throw new Pkcs11Error(
          Pkcs11ErrorCodes.tokenNotFound,
          `no initialised PKCS#11 token matches ${tokenSelector(uri)} in module ${path} (tokens present: ${available})`,
        );
      }
      if (found.length > 1) {
        throw new Pkcs11Error(
          Pkcs11ErrorCodes.tokenAmbiguous,
          `${found.length} PKCS#11 tokens match ${tokenSelector(uri)} in module ${path} (${found.map((s) => `${JSON.stringify(s.info.label)} serial ${s.info.serial}`).join(', ')}); add token=, serial= or slot-id= to the key id`,
        );
      }
      const s = found[0]!;
      const key = `${path}\0${s.info.slotId}`;
      let t = tokens.get(key);
      if (t && !t.closed) {
        // The module reference taken above belongs to the signer through the token.
        releaseModule(loaded);
      } else {
        t = new TokenHandle(key, loaded, s.slot, s.info.label);
        tokens.set(key, t);
      }
      t.refs++;
      return t;
    } catch (e) {
      releaseModule(loaded);
      throw e;
    }
  }

  /** Token flags now (they change with failed logins). */
  private flags(): number {
    try {
      return this.slot.getToken().flags;
    } catch (e) {
      throw new Pkcs11Error(Pkcs11ErrorCodes.tokenNotFound, `PKCS#11 token ${JSON.stringify(this.label)} is no longer available: ${nativeReason(e)}`, { cause: e });
    }
  }

  /**
   * Logs the user in unless already done in this process. `pin` undefined: only
   * allowed when the token does not require a login. `what` names the key for messages.
   */
  login(pin: string | undefined, what: string, pinOrigin: string): void {
    const { graphene } = pkcs11Libs();
    const TF = graphene.TokenFlag;
    const flags = this.flags();
    if ((flags & TF.LOGIN_REQUIRED) === 0 && pin === undefined) return;
    if (this.loginTag !== undefined) {
      if (pin !== undefined && pinTag(pin) !== this.loginTag) {
        throw new Pkcs11Error(
          Pkcs11ErrorCodes.pinConflict,
          `PKCS#11 token ${JSON.stringify(this.label)} is already logged in by this process with a different PIN; the PIN from ${pinOrigin} for ${what} was not used`,
        );
      }
      return;
    }
    if (pin === undefined) {
      throw new Pkcs11Error(
        Pkcs11ErrorCodes.pinMissing,
        `PKCS#11 token ${JSON.stringify(this.label)} requires a login to use ${what}: set the NOTATION_PKCS11_PIN environment variable or add pin-source=file:<path> to the key id`,
      );
    }
    if (flags & TF.USER_PIN_LOCKED) {
      throw new Pkcs11Error(Pkcs11ErrorCodes.tokenLocked, `the user PIN of PKCS#11 token ${JSON.stringify(this.label)} is locked; unlock it with the token's SO PIN, then retry (${what})`);
    }
    if ((flags & TF.USER_PIN_INITIALIZED) === 0) {
      throw new Pkcs11Error(Pkcs11ErrorCodes.tokenLocked, `the user PIN of PKCS#11 token ${JSON.stringify(this.label)} is not initialised; initialise it with the token's SO PIN (${what})`);
    }
    const session = this.takeIdleOrOpen();
    try {
      session.login(pin, graphene.UserType.USER);
    } catch (e) {
      const ckr = ckrName(e);
      if (ckr !== 'CKR_USER_ALREADY_LOGGED_IN') {
        const after = this.flagsQuiet();
        const left =
          after !== undefined && after & TF.USER_PIN_FINAL_TRY
            ? ' The token reports that one attempt is left before the PIN is locked.'
            : after !== undefined && after & TF.USER_PIN_COUNT_LOW
              ? ' The token reports that few attempts are left before the PIN is locked.'
              : '';
        if (ckr === 'CKR_PIN_INCORRECT' || ckr === 'CKR_PIN_INVALID' || ckr === 'CKR_PIN_LEN_RANGE') {
          throw new Pkcs11Error(Pkcs11ErrorCodes.pinIncorrect, `PKCS#11 token ${JSON.stringify(this.label)} refused the PIN from ${pinOrigin} (${ckr}) for ${what}.${left}`, { cause: e });
        }
        if (ckr === 'CKR_PIN_LOCKED' || ckr === 'CKR_PIN_EXPIRED' || ckr === 'CKR_USER_PIN_NOT_INITIALIZED') {
          throw new Pkcs11Error(Pkcs11ErrorCodes.tokenLocked, `PKCS#11 token ${JSON.stringify(this.label)} refuses logins (${ckr}); unlock or reset the user PIN with the token's SO PIN (${what})`, { cause: e });
        }
        throw new Pkcs11Error(Pkcs11ErrorCodes.pinIncorrect, `login to PKCS#11 token ${JSON.stringify(this.label)} failed: ${nativeReason(e)} (${what})`, { cause: e });
      }
    } finally {
      this.release(session);
    }
    this.loginTag = pinTag(pin);
  }

  private flagsQuiet(): number | undefined {
    try {
      return this.slot.getToken().flags;
    } catch {
      return undefined;
    }
  }

  private takeIdleOrOpen(): Session {
    const s = this.idle.pop();
    if (s) return s;
    return this.open();
  }

  private open(): Session {
    const { graphene } = pkcs11Libs();
    try {
      const s = this.slot.open(graphene.SessionFlag.SERIAL_SESSION);
      this.sessions.push(s);
      return s;
    } catch (e) {
      throw new Pkcs11Error(Pkcs11ErrorCodes.tokenNotFound, `failed to open a session on PKCS#11 token ${JSON.stringify(this.label)}: ${nativeReason(e)}`, { cause: e });
    }
  }

  /** A session for synchronous work (object lookup); give it back with release(). */
  acquireSync(): Session {
    if (this.closed) throw new Pkcs11Error(Pkcs11ErrorCodes.closed, `PKCS#11 token ${JSON.stringify(this.label)} handle is closed`);
    return this.takeIdleOrOpen();
  }

  /** Runs `fn` with a session of its own; waits when all sessions are busy. */
  async withSession<T>(fn: (s: Session) => Promise<T>): Promise<T> {
    if (this.closed) throw new Pkcs11Error(Pkcs11ErrorCodes.closed, `PKCS#11 token ${JSON.stringify(this.label)} handle is closed`);
    let s = this.idle.pop();
    if (!s) {
      if (this.sessions.length < MAX_SESSIONS_PER_TOKEN) s = this.open();
      else s = await new Promise<Session>((resolve) => this.waiters.push(resolve));
    }
    try {
      return await fn(s);
    } finally {
      this.release(s);
    }
  }

  release(s: Session): void {
    const w = this.waiters.shift();
    if (w) w(s);
    else this.idle.push(s);
  }

  /** Drops one reference; the last one logs out and closes the sessions and the module. */
  close(): void {
    if (this.closed || --this.refs > 0) return;
    this.closed = true;
    tokens.delete(this.key);
    if (this.loginTag !== undefined && this.sessions[0]) {
      try {
        this.sessions[0].logout();
      } catch {
        /* already logged out or token gone */
      }
    }
    for (const s of this.sessions) {
      try {
        s.close();
      } catch {
        /* token gone */
      }
    }
    this.sessions.length = 0;
    this.idle.length = 0;
    releaseModule(this.loaded);
  }
}

/** For tests: how many modules and tokens are open in this process. */
export function openHandleCounts(): { modules: number; tokens: number } {
  return { modules: modules.size, tokens: tokens.size };
}
