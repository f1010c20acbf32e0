/**
 * What the CLI needs from the rest of the product that does I/O or is worth sharing across a run, named as in
 * docs/architecture.md. cli/main.ts wires the real modules; the engine and the pipeline are pure (src/) and
 * imported by the commands directly.
 */
import type { GuestFacts } from '../src/contracts/facts';
import type { ConnectionDomain } from '../main/services/fleet-audit';

export type { ConnectionDomain };

/** Services the CLI calls. */
export interface CliDeps {
  /** osinfo id → guest facts (main/services/osinfo.ts), the index built once per process. */
  readonly lookupGuest: (osinfoId: string) => Promise<GuestFacts>;
  /** main/services/fleet-audit.ts. */
  readonly readDomainsFromConnection: (
    uri: string,
    names: readonly string[] | 'all',
    onProgress?: (done: number, total: number) => void,
  ) => Promise<readonly ConnectionDomain[]>;
}

/** Where the CLI reads and writes; process streams in production, buffers in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<Uint8Array>;
  readonly env: Readonly<Record<string, string | undefined>>;
}
