/** Reads a domain XML input named on the command line: a file path, or `-` for standard input. */
import { decodeXmlBytes, MAX_DOMAIN_FILE_BYTES, readDomainTextSync } from '../main/services/read-domain-file';
import { XmlInputError } from '../src/domain-xml';
import type { CliIo } from './cli-deps';

/** An input as read. `name` is what messages call it (`<stdin>` for `-`). */
export interface CliInput {
  readonly name: string;
  /** The path for files; null for stdin. */
  readonly path: string | null;
  readonly text: string;
}

/** Reads `arg` (a path or `-`), enforcing the size limit and strict UTF-8; throws XmlInputError. */
export async function readInput(arg: string, io: CliIo): Promise<CliInput> {
  if (arg !== '-') {
    return { name: arg, path: arg, text: readDomainTextSync(arg) };
  }
  const bytes = await io.readStdin();
  if (bytes.byteLength > MAX_DOMAIN_FILE_BYTES) {
    throw new XmlInputError(
      '<stdin>',
      0,
      0,
      'is over the 10 MB limit for a domain XML document',
      'Check that this is really a libvirt domain definition.',
    );
  }
  return { name: '<stdin>', path: null, text: decodeXmlBytes(bytes, '<stdin>') };
}
