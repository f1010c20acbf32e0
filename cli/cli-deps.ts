/**
 * What the CLI needs from the rest of the product, named as in docs/architecture.md. cli/main.ts wires the
 * real modules; keeping them behind this table lets each command be read (and run) on its own.
 */
import type { EngineInput } from '../src/contracts/engine';
import type { DomainFacts, GuestFacts } from '../src/contracts/facts';
import type { Finding, Plan } from '../src/contracts/findings';
import type { readFleet } from '../main/services/fleet-audit';

/** src/engine. */
export interface EnginePort {
  evaluate(input: EngineInput): readonly Finding[];
  planFor(input: EngineInput): Plan;
  /** A rule's explanation (shape owned by the engine), null for an unknown id. */
  explainRule(id: string): object | null;
  /** Every rule id, for "did you mean" messages. */
  ruleIds(): readonly string[];
  /** R-MIG-01: the virtio ABI differences between a source and a destination definition. */
  compareForMigration(source: DomainFacts, destination: DomainFacts): readonly Finding[];
}

/** Services the CLI calls; null when this build does not have them. */
export interface CliDeps {
  readonly engine: EnginePort | null;
  /** osinfo id → guest facts (main/services/osinfo.ts). */
  readonly lookupGuest: ((osinfoId: string) => Promise<GuestFacts>) | null;
  /** main/services/fleet-audit.ts: the domains of several libvirt connections, `jobs` hosts at a time. */
  readonly readFleet: typeof readFleet | null;
  /** cli/serve.ts: runs until stopped, resolves to an exit code. */
  readonly runServe: ((argv: readonly string[]) => Promise<number>) | null;
}

/** Where the CLI reads and writes; process streams in production, buffers in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<Uint8Array>;
  readonly env: Readonly<Record<string, string | undefined>>;
}
