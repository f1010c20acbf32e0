/**
 * What the CLI needs from the rest of the product, named as in docs/architecture.md. cli/main.ts wires the
 * real modules; keeping them behind this table lets each command be read (and run) on its own.
 */
import type { EngineInput } from '../src/contracts/engine';
import type { DomainFacts, GuestFacts, HostFacts } from '../src/contracts/facts';
import type { Finding, Plan } from '../src/contracts/findings';

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

/** One domain read from a libvirt connection (main/services/fleet-audit.ts). */
export interface ConnectionDomain {
  readonly uri: string;
  readonly name: string;
  readonly xml: string;
  readonly host: HostFacts;
}

/** Services the CLI calls; null when this build does not have them. */
export interface CliDeps {
  readonly engine: EnginePort | null;
  /** osinfo id → guest facts (main/services/osinfo.ts). */
  readonly lookupGuest: ((osinfoId: string) => Promise<GuestFacts>) | null;
  readonly readDomainsFromConnection:
    | ((
        uri: string,
        names: readonly string[] | 'all',
        onProgress?: (done: number, total: number) => void,
      ) => Promise<readonly ConnectionDomain[]>)
    | null;
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
