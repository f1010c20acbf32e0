/**
 * `virtio-access verify FILE|- [--connect URI] [--json]`: a test start of a throwaway copy of the domain on a real
 * libvirt (main/services/verify.ts). Exit 0 started, 1 refused, 2 cannot be tested or unusable input.
 */
import { pickDefaultUri } from '../main/services/libvirt';
import { verifyDomain } from '../main/services/verify';
import { VirshError } from '../main/services/virsh';
import { XmlInputError } from '../src/domain-xml';
import { parseCommandArgs, UsageError } from './args';
import type { CliDeps, CliIo } from './cli-deps';
import type { CliCommand } from './command';
import { formatVerifyReport } from './format-verify';
import { formatInputError } from './input-error';
import { readInput } from './read-input';

const USAGE = 'virtio-access verify FILE|- [--connect URI] [--json]';

const HELP = `${USAGE}

Starts a throwaway copy of the domain paused on a real libvirt, reports what libvirt and QEMU said next to what the
engine predicted, and removes the copy. Nothing of the domain's is used: the copy has its own name, UUID and MACs,
empty disk images of the same format and bus, and no passthrough devices. Where the host cannot run the domain as
written (type='kvm' without KVM, a <launchSecurity> type without the hardware) the copy is tried again without
that part, and the report says what was therefore not tested, quoting libvirt.

  --connect URI  the libvirt to test on (default: $LIBVIRT_DEFAULT_URI, else qemu:///system, else qemu:///session)
  --json         print the report as JSON

Exit status: 0 started, 1 refused (libvirt's or QEMU's message is printed), 2 cannot be tested (why) or unusable
input or usage.
`;

const EXIT = { started: 0, refused: 1, untestable: 2 } as const;

async function runVerify(argv: readonly string[], _deps: CliDeps, io: CliIo): Promise<number> {
  const args = parseCommandArgs('verify', argv, { json: { type: 'boolean' }, connect: { type: 'string' } });
  if (args.positionals.length !== 1) throw new UsageError('give exactly one FILE (or - for standard input)', 'verify');
  let input;
  try {
    input = await readInput(args.positionals[0]!, io);
  } catch (e) {
    if (!(e instanceof XmlInputError)) throw e;
    io.stderr(formatInputError(e));
    return 2;
  }
  const uri = args.values.connect ?? (await pickDefaultUri());
  let report;
  try {
    report = await verifyDomain({ uri, xml: input.text, fileName: input.name });
  } catch (e) {
    if (e instanceof XmlInputError) {
      io.stderr(formatInputError(e));
      return 2;
    }
    if (!(e instanceof VirshError)) throw e;
    io.stderr(`virtio-access verify: cannot test on ${uri}: ${e.message}\n`);
    return 2;
  }
  io.stdout(args.values.json ? `${JSON.stringify({ file: input.name, ...report }, null, 2)}\n` : formatVerifyReport(input.name, report));
  return EXIT[report.outcome];
}

export const VERIFY_COMMAND: CliCommand = { usage: USAGE, help: HELP, run: runVerify };
