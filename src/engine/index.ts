/** The decision engine: facts in, findings and a plan out (design.md, "The engine"). */
export { evaluate } from './interpreter';
export { evaluateAndPlan, planFor } from './plan';
export { compareForMigration } from './migration';
export { explainRule, ruleIds } from './explain';
export type { RuleExplanation } from './explain';
export { RULES } from './rules';
export { SHEET_RULES } from './coverage';
export type { RuleRecord, AnyRule } from './rule-types';
export { CITED_HOSTS } from './sources';
export { hasModelChoice, setVirtioModel } from './edits';
export { describePolicy, plannedPolicy } from './policy';
export { TECHNOLOGIES, technology, availability, hostSupport } from './technologies';
export type { Technology, Availability } from './technologies';
export { deviceStates, backendsFor, BACKEND_NOTES, BACKEND_UNSTATED } from './device-state';
export type { DeviceState, Tri } from './device-state';
export { swiotlbAdvice, swiotlbReport } from './swiotlb';
export { explainTopic, topicIds } from './swiotlb-explain';
export type { TopicExplanation } from './swiotlb-explain';
