/**
 * An alert's title says what went wrong, in the user's words: precise for the failures a user meets and can act
 * on, otherwise what the call was doing ("Could not read /x.xml"). Never "Something went wrong".
 */
const TITLES: Readonly<Record<string, string>> = {
  'not-installed': 'virsh is not installed',
  'daemon-down': 'No libvirt daemon answers on this connection',
  'permission-denied': 'libvirt refused the connection',
  'cannot-connect': 'Cannot connect to libvirt',
  'refused-uri': 'This connection URI is not allowed',
  timeout: 'libvirt did not answer in time',
  'domain-not-found': 'The domain does not exist on this connection',
  'domain-changed': 'The domain changed in libvirt since it was loaded',
  'domain-name-mismatch': 'The XML names another domain',
  'validation-failed': "libvirt's schema rejects the XML",
  'schema-invalid': "libvirt's schema rejects the XML",
  'schema-unavailable': "libvirt's schemas are not installed here",
  'define-refused': 'libvirt refused the new definition',
  'file-conflict': 'The file changed since it was opened',
  'file-write-failed': 'The file could not be written',
  'file-too-large': 'The file is too large to be a domain XML file',
  unavailable: 'The Virtio Access Wizard server does not answer',
  unauthorized: 'The server does not accept this page',
  internal: 'Virtio Access Wizard hit a bug',
};

/** The title for a failure of code `code` in a call described as `doing` ("Reading /x.xml"). */
export function failureTitle(code: string, doing: string): string {
  return TITLES[code] ?? `Could not finish: ${doing[0]!.toLowerCase()}${doing.slice(1)}`;
}
