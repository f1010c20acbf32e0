/**
 * The one table from IPC channel to service call. Electron's ipcMain (registered in main/app.ts) and the
 * serve bridge (main/serve/http-bridge.ts) both dispatch through `dispatch`, which validates the channel and
 * the request before any service runs and turns every failure into a ServiceError.
 */
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { formatVersion } from '../../src/contracts/version';
import {
  CALL_ID,
  CANCELLABLE_CHANNELS,
  IPC_CHANNELS,
  isIpcChannel,
  parseIpcRequest,
  type IpcChannel,
  type IpcRequest,
  type IpcResponse,
  type IpcResult,
  type Recent,
  type Sample,
} from '../../src/contracts/ipc';
import { domainTargetOf } from '../../src/host';
import { backupsDir } from '../services/backup-store';
import { collectHostEvidence } from '../services/host-evidence';
import { hostFactsReader } from '../services/host-facts';
import {
  defineDomainSafely,
  dumpInactiveXml,
  listDomains,
  pickDefaultUri,
  qemuArgvPreview,
  restoreDomainBackup,
} from '../services/libvirt';
import { writeFileAtomically } from '../services/atomic-write';
import { localLibvirtVersion } from '../services/local-libvirt';
import { appCacheDir, appDir } from '../services/xdg-dirs';
import { loadOsinfo } from '../services/osinfo';
import { readSchemaStatus, validateDomainDocument } from '../services/schema';
import { createFileHandlers, type UserConfirmation } from './file-channels';
import { FileGrants } from './file-grants';
import { verifyDomain } from '../services/verify';
import { ServiceRefusal, toServiceError } from './service-error';

export interface IpcContext {
  readonly mode: 'electron' | 'serve';
  readonly version: string;
  /** The folder holding assets/ (the repository or the packaged app). */
  readonly appRoot: string;
  /** Main's own dialogs (Electron); absent in serve mode, where the browser tab is the user's only window. */
  readonly confirm?: UserConfirmation;
  readonly env?: NodeJS.ProcessEnv;
}

/** What a handler gets besides its request: the signal that is aborted when the user cancels the call. */
export interface CallContext {
  readonly signal: AbortSignal;
}

type Handlers = { readonly [C in IpcChannel]: (req: IpcRequest<C>, call: CallContext) => Promise<IpcResponse<C>> };

/** The running cancellable calls of one handler table (one window or one serve token), by call id. */
const runningCalls = new WeakMap<Handlers, Map<string, AbortController>>();

async function readRecent(file: string): Promise<Recent> {
  try {
    const j = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Recent>;
    const strings = (a: unknown): string[] => (Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : []);
    return { files: strings(j.files), uris: strings(j.uris) };
  } catch {
    // No list yet, or an unreadable one: start a new list rather than fail the app.
    return { files: [], uris: [] };
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomically(file, text, { mode: 0o600 });
}

const MAX_RECENT = 10;

export function createIpcHandlers(ctx: IpcContext): Handlers {
  const env = ctx.env ?? process.env;
  const recentFile = path.join(appDir('config', env), 'recent.json');
  let osinfo: ReturnType<typeof loadOsinfo> | undefined;
  const index = () => (osinfo ??= loadOsinfo(undefined, { cacheDir: appCacheDir(env) }));
  let defaultUri: Promise<string> | undefined;
  const running = new Map<string, AbortController>();
  const grants = new FileGrants();
  /** The libvirt backups this session's defines wrote: the only ones libvirt.restore takes. */
  const domainBackups = new Set<string>();
  const listings = new Map<string, ReturnType<typeof listDomains>>();

  const handlers: Handlers = {
    'app.info': async () => ({
      mode: ctx.mode,
      version: ctx.version,
      defaultUri: await (defaultUri ??= pickDefaultUri(env)),
      backupsDir: backupsDir(env),
      saveDir: homedir(),
      // This machine's libvirt (its schemas are the ones that validate here), read once per process (local-libvirt.ts).
      libvirtVersion: await localLibvirtVersion().then((v) => (v === null ? null : formatVersion(v))),
    }),
    'samples.list': async () => {
      const dir = path.join(ctx.appRoot, 'assets/samples');
      const list = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8')) as (Omit<Sample, 'xml'> & { file: string })[];
      return Promise.all(
        list.map(async ({ file, ...s }) => ({ ...s, xml: await fs.readFile(path.join(dir, path.basename(file)), 'utf8') })),
      );
    },
    ...createFileHandlers(grants, ctx.confirm),
    'libvirt.list': ({ uri }, { signal }) => {
      // Calls for a connection whose list is being read share that read (a page may ask many times at once); the
      // renderer never lists one connection twice at once, so the first call's Cancel is the user's.
      let listing = listings.get(uri);
      if (!listing) {
        listing = listDomains(uri, { signal }).finally(() => listings.delete(uri));
        listings.set(uri, listing);
      }
      return listing;
    },
    'libvirt.read': async ({ uri, name }, { signal }) => {
      const xml = await dumpInactiveXml(uri, name, { signal });
      // The domain is still worth reviewing without the host's values; the renderer says why they are missing.
      let capabilitiesProblem: string | null = null;
      const [host, qemuArgv] = await Promise.all([
        hostFactsReader(uri, { signal, onCapsRefused: (e) => (capabilitiesProblem = toServiceError(e).message) })(
          domainTargetOf(xml, `domain ${name}`),
        ),
        qemuArgvPreview(uri, xml, { signal }).catch((e: unknown) => {
          if (signal.aborted) throw e;
          return null;
        }),
      ]);
      return { xml, host, qemuArgv, capabilitiesProblem };
    },
    'libvirt.define': async ({ uri, name, xml, loadedXml }) => {
      const r = await defineDomainSafely(uri, { name, originalXml: loadedXml, newXml: xml });
      domainBackups.add(r.backupPath);
      return r;
    },
    'libvirt.restore': async ({ uri, name, backupPath, expectedXml }) => {
      if (!domainBackups.has(backupPath))
        throw new ServiceRefusal(
          'not-permitted',
          `${backupPath} is not a backup of a define made in this session; nothing was changed.`,
          'Restore from the Apply step right after the define, or with virsh define from the backups folder.',
        );
      // The undo is a define too: its own backup is restorable in turn.
      const r = await restoreDomainBackup(uri, { name, backupPath, expectedXml });
      domainBackups.add(r.backupPath);
      return r;
    },
    'libvirt.qemuArgv': async ({ uri, xml }, { signal }) => ({ argv: await qemuArgvPreview(uri, xml, { signal }) }),
    'libvirt.verify': ({ uri, xml }) => verifyDomain({ uri, xml }),
    'host.evidence': () => collectHostEvidence(),
    'host.caps': ({ uri, arch, machine, virttype }, { signal }) =>
      hostFactsReader(uri, { whenCapsRefused: 'throw', signal })({ arch, machine, virttype }),
    'osinfo.search': async ({ text, limit }) =>
      (await index())
        .search(text, limit)
        .map((e) => ({ id: e.id, name: e.name, family: e.family, releaseDate: e.releaseDate, virtio1: e.virtio1 })),
    'osinfo.guest': async ({ id }) => (await index()).lookup(id),
    'schema.validate': async ({ xml }) => {
      const status = await readSchemaStatus();
      if (!status.available) return { available: false, valid: false, errors: [] };
      const r = await validateDomainDocument({ name: 'domain.xml', text: xml });
      return { available: true, valid: r.valid, errors: r.errors.map((e) => ({ line: e.line, message: e.message, target: e.target })) };
    },
    'recent.get': () => readRecent(recentFile),
    'recent.add': async ({ file, uri }) => {
      // Only files the user opened go on the list it is offered again.
      if (file !== undefined && !(await grants.has(file)))
        throw new ServiceRefusal('not-permitted', `${file} was not opened in this session.`, 'Open it first.');
      const now = await readRecent(recentFile);
      const push = (list: readonly string[], item: string | undefined) =>
        item ? [item, ...list.filter((x) => x !== item)].slice(0, MAX_RECENT) : [...list];
      const next = { files: push(now.files, file), uris: push(now.uris, uri) };
      await writeAtomically(recentFile, `${JSON.stringify(next, null, 2)}\n`);
      return next;
    },
    'call.cancel': async ({ callId }) => {
      const call = running.get(callId);
      call?.abort();
      return { cancelled: call !== undefined };
    },
  };
  runningCalls.set(handlers, running);
  return handlers;
}

/** How a call arrived: the renderer's id for it (to cancel it later), and a signal of the transport's own. */
export interface DispatchOptions {
  /** Unvalidated: whatever the transport received; ignored unless it is a valid id for a cancellable channel. */
  readonly callId?: unknown;
  /** Aborted when the caller went away (the serve bridge: the HTTP request was closed before the answer). */
  readonly signal?: AbortSignal;
}

/** Validates and runs one call; never throws. A cancellable call with an id runs until it ends or `call.cancel`. */
export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  raw: unknown,
  options: DispatchOptions = {},
): Promise<IpcResult<IpcChannel>> {
  if (!isIpcChannel(channel)) {
    return {
      ok: false,
      error: {
        code: 'bad-request',
        message: `No channel named ${JSON.stringify(channel)}.`,
        hint: `Channels: ${IPC_CHANNELS.join(', ')}.`,
      },
    };
  }
  const req = parseIpcRequest(channel, raw);
  if (!req.ok) return req;
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  const running = runningCalls.get(handlers);
  const callId = CANCELLABLE_CHANNELS.has(channel) && v.is(CALL_ID, options.callId) ? options.callId : null;
  if (callId !== null) running?.set(callId, controller);
  try {
    const handler = handlers[channel] as (r: unknown, call: CallContext) => Promise<unknown>;
    return { ok: true, value: (await handler(req.value, { signal: controller.signal })) as IpcResponse<IpcChannel> };
  } catch (e) {
    return { ok: false, error: toServiceError(e) };
  } finally {
    if (callId !== null && running?.get(callId) === controller) running.delete(callId);
  }
}
