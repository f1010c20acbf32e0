/**
 * `virtio-access serve [--port N]`: the app in a browser. Prints the URL (with its token) as the first line of
 * standard output and serves until interrupted.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createIpcHandlers } from '../main/ipc/ipc-table';
import { startBridge } from '../main/serve/http-bridge';
import { parseCommandArgs, UsageError } from './args';
import type { CliIo } from './cli-deps';
import type { CliCommand } from './command';

const USAGE = 'virtio-access serve [--port N]';
const HELP = `${USAGE}

Serves the wizard and its services on http://127.0.0.1 only (port N, default: any free port) and prints the URL,
including a random token every request must carry, as the first line. Stop it with Ctrl-C.
`;

/** The folder holding dist/ and assets/: two levels above the bundled CLI (dist/cli/virtio-access.cjs). */
function appRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

async function runServe(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs('serve', argv, { port: { type: 'string' } });
  if (args.positionals.length > 0) throw new UsageError('serve takes no files', 'serve');
  const portText = args.values.port ?? '0';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${portText}"`, 'serve');
  const root = appRoot();
  const staticDir = path.join(root, 'dist/renderer');
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    io.stderr(`virtio-access serve: the renderer is not built (${staticDir}/index.html is missing); run npm run build.\n`);
    return 2;
  }
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  let bridge;
  try {
    bridge = await startBridge({ port, staticDir, handlers: createIpcHandlers({ mode: 'serve', version, appRoot: root }) });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw e;
    io.stderr(
      `virtio-access serve: cannot listen on 127.0.0.1:${port} (${code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'}); choose another --port, or leave it out to take any free port.\n`,
    );
    return 2;
  }
  io.stdout(`${bridge.url}\n`);
  io.stderr('virtio-access serve: listening on 127.0.0.1 only; stop with Ctrl-C.\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await bridge.close();
  return 0;
}

export const SERVE_COMMAND: CliCommand = { usage: USAGE, help: HELP, run: (argv, _deps, io) => runServe(argv, io) };
