/**
 * What the CLI needs from the rest of the product that does I/O or is worth sharing across a run, named as in
 * docs/architecture.md. cli/main.ts wires the real modules; the engine and the pipeline are pure (src/) and
 * imported by the commands directly.
 */
import type { GuestFacts } from '../src/contracts/facts';
import type { readFleet } from '../main/services/fleet-audit';

/** Services the CLI calls. */
export interface CliDeps {
  /** osinfo id → guest facts (main/services/osinfo.ts), the index built once per process. */
  readonly lookupGuest: (osinfoId: string) => Promise<GuestFacts>;
  /** Starts building that index now (file reads beside the caller's work), so the first lookup need not wait. */
  readonly prepareGuestLookup: () => void;
  /** main/services/fleet-audit.ts: the domains of several libvirt connections, `jobs` hosts at a time. */
  readonly readFleet: typeof readFleet;
}

/** Where the CLI reads and writes; process streams in production, buffers in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<Uint8Array>;
  readonly env: Readonly<Record<string, string | undefined>>;
}
