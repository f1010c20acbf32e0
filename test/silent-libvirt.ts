/**
 * A libvirt "daemon" that never answers: a unix socket that accepts virsh's connection and reads its RPC
 * hello, but replies nothing, so virsh waits as it would on a hung libvirtd. Tests use it to prove that Cancel
 * stops a real virsh run: the connection closes only when the virsh process on the other end is gone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface SilentLibvirt {
  /** A libvirt URI (qemu+unix, allowed by the URI allow-list) that connects to this socket. */
  readonly uri: string;
  /** Resolves once a client (virsh) has connected. */
  connected(): Promise<void>;
  /** Resolves once every client that connected has gone away (its process exited or was killed). */
  allClosed(): Promise<void>;
  /** How many clients are connected now. */
  open(): number;
  stop(): Promise<void>;
}

export async function startSilentLibvirt(): Promise<SilentLibvirt> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-silent-'));
  const socket = path.join(dir, 'libvirt-sock');
  const clients = new Set<net.Socket>();
  let onConnect: (() => void)[] = [];
  let onEmpty: (() => void)[] = [];
  const server = net.createServer((c) => {
    clients.add(c);
    // Read and drop what virsh sends, so its close is seen; never write anything back.
    c.resume();
    c.on('error', () => undefined);
    c.on('close', () => {
      clients.delete(c);
      if (clients.size === 0) for (const f of onEmpty.splice(0)) f();
    });
    for (const f of onConnect.splice(0)) f();
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    uri: `qemu+unix:///system?socket=${socket}`,
    connected: () => (clients.size > 0 ? Promise.resolve() : new Promise((resolve) => onConnect.push(resolve))),
    allClosed: () => (clients.size === 0 ? Promise.resolve() : new Promise((resolve) => onEmpty.push(resolve))),
    open: () => clients.size,
    stop: async () => {
      for (const c of clients) c.destroy();
      onConnect = [];
      onEmpty = [];
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
