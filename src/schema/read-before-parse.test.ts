import { describe, expect, it } from 'vitest';
import { xmllintMayReadUnparsed } from './read-before-parse';

const BODY = "<domain type='kvm'><name>a</name></domain>\n";

describe('whether xmllint may read a copy before the parse', () => {
  it.each([
    ['a document without declaration', BODY],
    ['a declaration without encoding', `<?xml version="1.0"?>\n${BODY}`],
    ['encoding="UTF-8"', `<?xml version="1.0" encoding="UTF-8"?>\n${BODY}`],
    ["encoding='utf8' (an alias libxml2 and the parser both read as UTF-8)", `<?xml version='1.0' encoding = 'utf8'?>\n${BODY}`],
    ['a byte order mark before the declaration', `\ufeff<?xml version="1.0" encoding="UTF-8"?>\n${BODY}`],
    ['comments and CDATA, which are no DOCTYPE', `<!-- note -->\n<domain><description><![CDATA[x]]></description></domain>`],
    ['a lower-case doctype, which libxml2 does not take for one', `<!doctype domain>${BODY}`],
  ])('yes for %s', (_what, text) => expect(xmllintMayReadUnparsed(text)).toBe(true));

  it.each([
    ['a DOCTYPE', `<!DOCTYPE domain>\n${BODY}`],
    [
      'a DOCTYPE after a declaration naming UTF-8',
      `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE domain [<!ENTITY e SYSTEM "/etc/hostname">]>\n${BODY}`,
    ],
    ['encoding="UTF-7", in which +ADw- is "<"', `<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE domain+AD4-\n${BODY}`],
    ['encoding="ISO-8859-1"', `<?xml version="1.0" encoding="ISO-8859-1"?>\n${BODY}`],
    ['UTF-8 named first and another encoding after it', `<?xml version="1.0" encoding="UTF-8" encoding="UTF-7"?>\n${BODY}`],
    ['an unquoted encoding', `<?xml version="1.0" encoding=UTF-7?>\n${BODY}`],
    ['a declaration after leading space', `  <?xml version="1.0" encoding="UTF-7"?>\n${BODY}`],
    ['a declaration never closed that names another encoding', `<?xml version="1.0" encoding="EBCDIC-US"\n${BODY}`],
    ['a NUL among the first four characters (UCS-4 or UTF-16 to libxml2)', `\0\0\0<domain/>`],
  ])('no for %s', (_what, text) => expect(xmllintMayReadUnparsed(text)).toBe(false));
});
