/**
 * A number property as QEMU reads it, with qemu_strtou64(…, 0): 0x… hexadecimal, 0… octal, else decimal
 * (qapi/qobject-input-visitor.c); null when it is not one.
 */
export function qemuUint(text: string): number | null {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  if (/^0[0-7]*$/.test(t)) return parseInt(t, 8);
  return /^[1-9]\d*$/.test(t) ? Number(t) : null;
}
