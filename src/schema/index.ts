/** xmllint's verdicts on libvirt's schema, read and located (pure; main/services/schema.ts runs xmllint). */
export { errorLocator, parseXmllintOutput, schemaResultsOf } from './xmllint-output';
export type { SchemaError, SchemaResult, XmllintError } from './xmllint-output';
export { errorsOnlyInLaunchSecurity, mayBeNewerThanSchema, newerElementWords, newerThanSchema, type NewerElement } from './newer-element';
export { xmllintMayReadUnparsed } from './read-before-parse';
