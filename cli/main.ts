/**
 * The `virtio-access` CLI (bundled to dist/cli/virtio-access-main.cjs, which the command dist/cli/virtio-access.cjs
 * runs: cli/launch.ts). Reads process.argv,
 * wires the real services into the dispatcher, and sets the exit code.
 */
import { readFleet } from '../main/services/fleet-audit';
import { loadOsinfo } from '../main/services/osinfo';
import { runCli } from './run-cli';
import type { CliDeps, CliIo } from './cli-deps';
import { terminalSafe } from './terminal-text';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = chunk as Buffer;
    chunks.push(b);
    size += b.length;
    // Enough to know it is over the limit; no need to buffer the rest.
    if (size > 10 * 1024 * 1024) break;
  }
  return Buffer.concat(chunks);
}

const io: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin,
  env: process.env,
};

/** osinfo-db is indexed once per process, on first use: a fleet or corpus check looks up many guests. */
let osinfoIndex: ReturnType<typeof loadOsinfo> | undefined;
const osinfo = (): ReturnType<typeof loadOsinfo> => (osinfoIndex ??= loadOsinfo());

const deps: CliDeps = {
  lookupGuest: async (id) => (await osinfo()).lookup(id),
  // A failure (osinfo-db missing) is reported by the lookups, which await the same promise.
  prepareGuestLookup: () => void osinfo().catch(() => undefined),
  readFleet,
};

runCli(process.argv.slice(2), deps, io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(terminalSafe(`virtio-access: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
    process.exitCode = 70;
  },
);
