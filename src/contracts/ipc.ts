/**
 * The typed boundary between the renderer and the main-process services, declared once: every channel's
 * request schema (checked at runtime where requests enter main, over Electron IPC or the serve bridge) and
 * its response type. renderer/api calls these channels by name; main/ipc maps each to a service.
 */
import * as v from 'valibot';
import type { Evidence, GuestFacts, HostFacts, Support } from './facts';
import { checkLibvirtUri } from './libvirt-uri';
import { MAX_DOMAIN_XML_BYTES } from './limits';
import type { VerifyReport } from './verify';

const path = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));
/** A libvirt URI from the allow-list (libvirt-uri.ts): never one that makes libvirt run a program. */
const uri = v.pipe(
  v.string(),
  v.check(
    (u) => checkLibvirtUri(u).ok,
    (issue) => {
      const r = checkLibvirtUri(String(issue.input));
      return r.ok ? '' : r.reason;
    },
  ),
);
const name = v.pipe(v.string(), v.minLength(1), v.maxLength(1024));
/** Bytes of `text` in UTF-8 (a lone surrogate as the three of U+FFFD, as an encoder writes it). */
function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** Domain XML travels as text, at most 10 MB of it in UTF-8 (what a file may hold), checked where it enters main. */
const xml = v.pipe(
  v.string(),
  v.check(
    (t) => t.length <= MAX_DOMAIN_XML_BYTES && utf8Length(t) <= MAX_DOMAIN_XML_BYTES,
    'is over the 10 MB limit for a domain XML document',
  ),
);
const empty = v.strictObject({});
/** A renderer-chosen id for one running call, so that `call.cancel` can stop it (a random UUID in practice). */
export const CALL_ID = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/));

export const IPC_REQUESTS = {
  'app.info': empty,
  'samples.list': empty,
  'file.read': v.strictObject({ path }),
  'file.pick': empty,
  /** What a path the user typed would mean for a save: its folder, and whether a file there would be replaced. */
  'file.inspect': v.strictObject({ path }),
  'file.save': v.strictObject({ path, text: xml, expectedFingerprint: v.nullable(v.string()), validate: v.boolean() }),
  'file.backups': v.strictObject({ path }),
  'file.restore': v.strictObject({ backupPath: path, path }),
  'libvirt.list': v.strictObject({ uri }),
  'libvirt.read': v.strictObject({ uri, name }),
  'libvirt.define': v.strictObject({ uri, name, xml, loadedXml: xml }),
  /** The undo of a define: refused when the domain is no longer `expectedXml` (the definition the define left). */
  'libvirt.restore': v.strictObject({ uri, name, backupPath: path, expectedXml: xml }),
  'libvirt.qemuArgv': v.strictObject({ uri, xml }),
  /** "Test start": a throwaway copy of `xml` started paused on `uri` and removed again (main/services/verify.ts). */
  'libvirt.verify': v.strictObject({ uri, xml }),
  'host.evidence': empty,
  'host.caps': v.strictObject({ uri, arch: v.optional(name), machine: v.optional(name), virttype: v.optional(name) }),
  'osinfo.search': v.strictObject({
    text: v.pipe(v.string(), v.maxLength(200)),
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000))),
  }),
  'osinfo.guest': v.strictObject({ id: name }),
  'schema.validate': v.strictObject({ xml }),
  'recent.get': empty,
  'recent.add': v.strictObject({ file: v.optional(path), uri: v.optional(uri) }),
  /** Stops the running call with this id (its virsh is killed); answers whether one was running. */
  'call.cancel': v.strictObject({ callId: CALL_ID }),
} as const;

export type IpcChannel = keyof typeof IPC_REQUESTS;
export const IPC_CHANNELS = Object.keys(IPC_REQUESTS) as IpcChannel[];

export interface AppInfo {
  readonly mode: 'electron' | 'serve';
  readonly version: string;
  readonly defaultUri: string;
  readonly backupsDir: string;
  /** Where a Save As of a domain that has no file yet suggests writing it (the user's home folder). */
  readonly saveDir: string;
  /** This machine's libvirt (its schemas validate the XML here); null when virsh cannot say. */
  readonly libvirtVersion: string | null;
}
export interface Sample {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly xml: string;
}
export interface OpenedFile {
  readonly path: string;
  readonly text: string;
  readonly fingerprint: string;
}
export interface Backup {
  readonly backupPath: string;
  readonly createdAt: string;
}
export interface OsChoice {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly releaseDate: string | null;
  readonly virtio1: Support;
}
export interface Recent {
  readonly files: readonly string[];
  readonly uris: readonly string[];
}

export interface IpcResponses {
  'app.info': AppInfo;
  'samples.list': readonly Sample[];
  'file.read': OpenedFile;
  'file.pick': OpenedFile | null;
  'file.inspect': PathInspection;
  'file.save': { readonly path: string; readonly backupPath: string | null; readonly fingerprint: string };
  'file.backups': readonly Backup[];
  'file.restore': { readonly path: string; readonly backupPath: string | null };
  'libvirt.list': readonly { readonly name: string; readonly state: string; readonly persistent: boolean }[];
  'libvirt.read': {
    readonly xml: string;
    readonly host: HostFacts;
    readonly qemuArgv: string | null;
    /** Why `virsh domcapabilities` failed (the host values are then unknown), or null when it answered. */
    readonly capabilitiesProblem: string | null;
  };
  'libvirt.define': DefineOutcome;
  'libvirt.restore': DefineOutcome;
  'libvirt.qemuArgv': { readonly argv: string };
  'libvirt.verify': VerifyReport;
  'host.evidence': readonly Evidence[];
  'host.caps': HostFacts;
  'osinfo.search': readonly OsChoice[];
  'osinfo.guest': GuestFacts;
  'schema.validate': {
    readonly available: boolean;
    readonly valid: boolean;
    readonly errors: readonly { readonly line: number; readonly message: string; readonly target: string }[];
  };
  'recent.get': Recent;
  'recent.add': Recent;
  'call.cancel': { readonly cancelled: boolean };
}

/** A path as a save target. */
export interface PathInspection {
  readonly absolute: boolean;
  /** Something exists at the path. */
  readonly exists: boolean;
  readonly isFile: boolean;
  /** The file was opened in this session, so a save may replace it (after a backup); any other is refused. */
  readonly granted: boolean;
  readonly folderExists: boolean;
  readonly folderWritable: boolean;
}

/** What a define (or its undo) did: the backup of what it replaced, and the definition libvirt holds now. */
export interface DefineOutcome {
  readonly backupPath: string;
  readonly appliesAtNextBoot: boolean;
  /** Read back after the define: the starting point of the next define or undo. */
  readonly xml: string;
}

/**
 * The calls the user can cancel (each runs virsh, which may wait long on a slow or hung libvirt). Writes are not
 * among them: a define stopped halfway would leave the user unsure what libvirt holds.
 */
export const CANCELLABLE_CHANNELS: ReadonlySet<IpcChannel> = new Set<IpcChannel>([
  'libvirt.list',
  'libvirt.read',
  'libvirt.qemuArgv',
  'host.caps',
]);

export type IpcRequest<C extends IpcChannel> = v.InferOutput<(typeof IPC_REQUESTS)[C]>;
export type IpcResponse<C extends IpcChannel> = IpcResponses[C];

/** Why a service call failed, in words for the user: what happened, and what to do. */
export interface ServiceError {
  readonly code: string;
  readonly message: string;
  readonly hint: string;
  /** Evidence to show as is (e.g. the diff of what changed in libvirt since the domain was loaded). */
  readonly detail?: string;
}

/** What crosses the boundary for every call. */
export type IpcResult<C extends IpcChannel> =
  { readonly ok: true; readonly value: IpcResponse<C> } | { readonly ok: false; readonly error: ServiceError };

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.hasOwn(IPC_REQUESTS, value);
}

/** Validates a request for `channel`; returns the typed request or a bad-request error naming the problem. */
export function parseIpcRequest<C extends IpcChannel>(
  channel: C,
  raw: unknown,
): { ok: true; value: IpcRequest<C> } | { ok: false; error: ServiceError } {
  const r = v.safeParse(IPC_REQUESTS[channel], raw);
  if (r.success) return { ok: true, value: r.output as IpcRequest<C> };
  const issue = r.issues[0];
  const where = issue.path?.map((p) => String(p.key)).join('.') || 'request';
  return {
    ok: false,
    error: {
      code: 'bad-request',
      message: `${channel}: ${where}: ${issue.message}`,
      hint: 'This is a bug in the caller; the request was not run.',
    },
  };
}

/**
 * What the preload exposes as `window.api` in the Electron window: one named function per channel and
 * nothing else (no raw ipcRenderer, no event objects). renderer/api uses it when present. `callId` names a
 * cancellable call (CANCELLABLE_CHANNELS) for `call.cancel`.
 */
export type PreloadApi = { readonly [C in IpcChannel]: (request: IpcRequest<C>, callId?: string) => Promise<IpcResult<C>> };

/** The serve bridge's header carrying a call's id (`POST /api/<channel>` keeps the bare request as its body). */
export const CALL_ID_HEADER = 'x-vaw-call-id';

/** A contract channel's name on Electron's IPC; the prefix keeps ours apart from Electron's own. */
export function electronChannelName(channel: IpcChannel): string {
  return `vaw:${channel}`;
}
