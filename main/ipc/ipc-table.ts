/**
 * The one table from IPC channel to service call. Electron's ipcMain (registered in main/app.ts) and the
 * serve bridge (main/serve/http-bridge.ts) both dispatch through `dispatch`, which validates the channel and
 * the request before any service runs and turns every failure into a ServiceError.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
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
import { fingerprintOf, backupsDir, listBackups, readDomainFile, restoreBackup, writeFileSafely } from '../services/file-store';
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
import { appCacheDir } from '../services/cache-dir';
import { loadOsinfo } from '../services/osinfo';
import { schemaStatus, validateDomainXml } from '../services/schema';
import { ServiceRefusal, toServiceError } from './service-error';

export interface IpcContext {
  readonly mode: 'electron' | 'serve';
  readonly version: string;
  /** The folder holding assets/ (the repository or the packaged app). */
  readonly appRoot: string;
  /** Native file dialog; absent in serve mode, where the browser picks files itself. */
  readonly pickFile?: () => Promise<string | null>;
  readonly env?: NodeJS.ProcessEnv;
}

type Handlers = { readonly [C in IpcChannel]: (req: IpcRequest<C>) => Promise<IpcResponse<C>> };

function configDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'virtio-access-wizard');
}

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
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode: 0o600 });
  await fs.rename(tmp, file);
}

const MAX_RECENT = 10;

export function createIpcHandlers(ctx: IpcContext): Handlers {
  const env = ctx.env ?? process.env;
  const recentFile = path.join(configDir(env), 'recent.json');
  let osinfo: ReturnType<typeof loadOsinfo> | undefined;
  const index = () => (osinfo ??= loadOsinfo(undefined, { cacheDir: appCacheDir(env) }));
  let defaultUri: Promise<string> | undefined;

  return {
    'app.info': async () => ({
      mode: ctx.mode,
      version: ctx.version,
      defaultUri: await (defaultUri ??= pickDefaultUri(env)),
      backupsDir: backupsDir(env),
    }),
    'samples.list': async () => {
      const dir = path.join(ctx.appRoot, 'assets/samples');
      const list = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8')) as (Omit<Sample, 'xml'> & { file: string })[];
      return Promise.all(
        list.map(async ({ file, ...s }) => ({ ...s, xml: await fs.readFile(path.join(dir, path.basename(file)), 'utf8') })),
      );
    },
    'file.read': ({ path: p }) => readDomainFile(p),
    'file.pick': async () => {
      const chosen = ctx.pickFile ? await ctx.pickFile() : null;
      return chosen === null ? null : readDomainFile(chosen);
    },
    'file.save': async ({ path: p, text, expectedFingerprint, validate }) => {
      if (validate) {
        const status = schemaStatus();
        if (!status.available)
          throw new ServiceRefusal(
            'schema-unavailable',
            status.message,
            'Save without validation only if you accept that libvirt may refuse the file.',
          );
        const [result] = await validateDomainXml([{ name: p, text }]);
        if (result && !result.valid) {
          const first = result.errors
            .slice(0, 3)
            .map((e) => `line ${e.line}: ${e.message}`)
            .join('; ');
          throw new ServiceRefusal(
            'schema-invalid',
            `The XML does not validate against libvirt's schema, so nothing was written: ${first}`,
            'Fix the element named, or undo the change that introduced it.',
          );
        }
      }
      const { backupPath } = await writeFileSafely(p, text, { expectedFingerprint });
      return { path: p, backupPath, fingerprint: fingerprintOf(text) };
    },
    'file.backups': ({ path: p }) => listBackups(p).then((list) => list.map((b) => ({ backupPath: b.backupPath, createdAt: b.createdAt }))),
    'file.restore': ({ backupPath, path: p }) =>
      restoreBackup(backupPath, p).then((r) => ({ path: r.targetPath, backupPath: r.backupPath })),
    'libvirt.list': ({ uri }) => listDomains(uri),
    'libvirt.read': async ({ uri, name }) => {
      const xml = await dumpInactiveXml(uri, name);
      const [host, qemuArgv] = await Promise.all([
        hostFactsReader(uri)(domainTargetOf(xml, `domain ${name}`)),
        qemuArgvPreview(uri, xml).catch(() => null),
      ]);
      return { xml, host, qemuArgv };
    },
    'libvirt.define': ({ uri, name, xml, loadedXml }) => defineDomainSafely(uri, { name, originalXml: loadedXml, newXml: xml }),
    'libvirt.restore': async ({ uri, backupPath }) => {
      await restoreDomainBackup(uri, backupPath);
      return {};
    },
    'libvirt.qemuArgv': async ({ uri, xml }) => ({ argv: await qemuArgvPreview(uri, xml) }),
    'host.evidence': () => collectHostEvidence(),
    'host.caps': ({ uri, arch, machine, virttype }) => hostFactsReader(uri, { whenCapsRefused: 'throw' })({ arch, machine, virttype }),
    'osinfo.search': async ({ text, limit }) =>
      (await index())
        .search(text, limit)
        .map((e) => ({ id: e.id, name: e.name, family: e.family, releaseDate: e.releaseDate, virtio1: e.virtio1 })),
    'osinfo.guest': async ({ id }) => (await index()).lookup(id),
    'schema.validate': async ({ xml }) => {
      const status = schemaStatus();
      if (!status.available) return { available: false, valid: false, errors: [] };
      const [r] = await validateDomainXml([{ name: 'domain.xml', text: xml }]);
      return {
        available: true,
        valid: r?.valid ?? false,
        errors: (r?.errors ?? []).map((e) => ({ line: e.line, message: e.message, target: e.target })),
      };
    },
    'recent.get': () => readRecent(recentFile),
    'recent.add': async ({ file, uri }) => {
      const now = await readRecent(recentFile);
      const push = (list: readonly string[], item: string | undefined) =>
        item ? [item, ...list.filter((x) => x !== item)].slice(0, MAX_RECENT) : [...list];
      const next = { files: push(now.files, file), uris: push(now.uris, uri) };
      await writeAtomically(recentFile, `${JSON.stringify(next, null, 2)}\n`);
      return next;
    },
  };
}

/** Validates and runs one call; never throws. */
export async function dispatch(handlers: Handlers, channel: unknown, raw: unknown): Promise<IpcResult<IpcChannel>> {
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
  try {
    const handler = handlers[channel] as (r: unknown) => Promise<unknown>;
    return { ok: true, value: (await handler(req.value)) as IpcResponse<IpcChannel> };
  } catch (e) {
    return { ok: false, error: toServiceError(e) };
  }
}
