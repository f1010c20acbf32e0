/** How an unusable input is reported on stderr: `file:line:column: problem`, then what to do. */
import type { XmlInputError } from '../src/domain-xml';

/** The stderr text for an XmlInputError. */
export function formatInputError(e: XmlInputError): string {
  return `virtio-access: ${e.message}\n  ${e.hint}\n`;
}
