/** Every failure a service can raise, as the ServiceError the renderer shows: what happened, what to do. */
import type { ServiceError } from '../../src/contracts/ipc';
import { XmlInputError } from '../../src/domain-xml';
import { FileConflictError, FileWriteError } from '../services/write-domain-file';
import { DomainChangedError, DomainNameMismatchError } from '../services/libvirt';
import { SchemaUnavailableError } from '../services/schema';
import { VirshError } from '../services/virsh';

/** A refusal with a message written for the user (e.g. the planned XML does not validate). */
export class ServiceRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export function toServiceError(e: unknown): ServiceError {
  if (e instanceof ServiceRefusal) return { code: e.code, message: e.message, hint: e.hint };
  if (e instanceof XmlInputError) return { code: 'xml-invalid', message: e.message, hint: e.hint };
  if (e instanceof FileConflictError)
    return { code: 'file-conflict', message: e.message, hint: 'Open the file again to see its current content, then review and save.' };
  if (e instanceof FileWriteError)
    return { code: 'file-write-failed', message: e.message, hint: 'Check the folder’s permissions and free space.' };
  if (e instanceof DomainChangedError)
    return {
      code: 'domain-changed',
      message: e.message,
      hint: 'Reload the domain from libvirt and review the plan again.',
      detail: e.diff,
    };
  if (e instanceof DomainNameMismatchError)
    return { code: 'domain-name-mismatch', message: e.message, hint: 'Keep the <name> of the domain being edited.' };
  if (e instanceof SchemaUnavailableError)
    return { code: 'schema-unavailable', message: e.message, hint: 'Install libvirt-clients, or save without validation.' };
  if (e instanceof VirshError && e.code === 'cancelled') return { code: 'cancelled', message: e.message, hint: 'Nothing was changed.' };
  if (e instanceof VirshError)
    return {
      code: e.code,
      message: e.message,
      hint: e.stderr.trim() ? `virsh said: ${e.stderr.trim().split('\n').slice(-2).join(' ')}` : 'Follow the advice above, then try again.',
    };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message, hint: 'This is a bug in Virtio Access Wizard; please report it with this message.' };
}
