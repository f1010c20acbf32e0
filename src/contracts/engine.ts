import type { DomainFacts, Goals, GuestFacts, HostFacts } from './facts';
import type { Finding, Plan } from './findings';

/** Everything one engine evaluation looks at. */
export interface EngineInput {
  readonly domain: DomainFacts;
  readonly host: HostFacts;
  readonly guest: GuestFacts;
  readonly goals: Goals;
}

/** The engine's answer for one input. */
export interface EngineResult {
  readonly findings: readonly Finding[];
  readonly plan: Plan;
}
