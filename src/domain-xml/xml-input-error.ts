/**
 * The one error every bad XML input becomes: it names the file, the line and column, what is wrong and what to do.
 * The CLI prints it and exits 2; the app shows it next to the file.
 */
export class XmlInputError extends Error {
  override readonly name = 'XmlInputError';

  constructor(
    /** File name as the user gave it, or `<stdin>` / `<input>`. */
    readonly file: string,
    /** 1-based line; 0 when the problem is the whole file (size, encoding). */
    readonly line: number,
    /** 1-based column in UTF-16 code units; 0 when the problem is the whole file. */
    readonly column: number,
    /** What is wrong, without the location. */
    readonly problem: string,
    /** What the user can do about it. */
    readonly hint: string,
  ) {
    super(line > 0 ? `${file}:${line}:${column}: ${problem}` : `${file}: ${problem}`);
  }
}

/**
 * 1-based line and column of `offset` in `text`. Lines end at LF, CRLF or a lone CR, as libxml2 counts them
 * (XML 2.11 line-end normalisation), so a file with old Mac line ends is located as xmllint and libvirt locate it.
 */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const breaks = /\r\n?|\n/g;
  for (let m = breaks.exec(text); m !== null && m.index < offset; m = breaks.exec(text)) {
    line++;
    lineStart = m.index + m[0].length;
  }
  return { line, column: offset - lineStart + 1 };
}
