import { describe, expect, it } from 'vitest';
import { terminalSafe } from './terminal-text';

describe('terminalSafe', () => {
  it('shows escape sequences, C1 controls, lone CRs and bidi overrides as visible escapes', () => {
    expect(terminalSafe('x\x1b[8m\x00\x7f\u009b\r\u202egnp.exe')).toBe('x\\x1b[8m\\x00\\x7f\\x9b\\r\\u202egnp.exe');
  });

  it('keeps newlines, tabs and ordinary text, non-ASCII included', () => {
    const text = 'café\tvm\n  ERROR   R-XML-05  /domain/devices/disk[1]\n';
    expect(terminalSafe(text)).toBe(text);
  });
});
