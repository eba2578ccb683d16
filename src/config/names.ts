/**
 * Endpoint names as people read them. A name is shown in the comment, the summary and the log,
 * and identifies the endpoint in baselines, so two names that read the same must not be two
 * endpoints: a pull request could hide a second row behind a zero-width space or a Cyrillic
 * "а". Invisible characters are removed from the name shown; the skeleton (NFKC, invisible
 * characters removed, look-alike letters of other scripts mapped to the Latin letter they imitate)
 * is what two names are compared by.
 */

/**
 * Characters that take no visible space: format characters (zero-width spaces and joiners, bidi
 * controls, the BOM, soft hyphen, tags), variation selectors, combining grapheme joiner and the
 * Hangul fillers.
 */
// eslint-disable-next-line no-misleading-character-class -- joiners and selectors, one by one, are the point
const INVISIBLE = /[\p{Cf}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u3164\uFFA0\uFE00-\uFE0F]/gu;

/**
 * Cyrillic and Greek letters that look like Latin ones in common fonts (a hand-kept subset of
 * Unicode's confusables table, for the scripts a name is most often forged with).
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a',
  е: 'e',
  ё: 'ë',
  һ: 'h',
  і: 'i',
  ї: 'ï',
  ј: 'j',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ӏ: 'l',
  А: 'A',
  В: 'B',
  Е: 'E',
  Ё: 'Ë',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  Ѕ: 'S',
  І: 'I',
  Ї: 'Ï',
  Ј: 'J',
  Ү: 'Y',
  Ԛ: 'Q',
  Ԝ: 'W',
  Ӏ: 'I',
  // Greek
  α: 'a',
  ο: 'o',
  ρ: 'p',
  ν: 'v',
  υ: 'u',
  ι: 'i',
  κ: 'k',
  χ: 'x',
  ϲ: 'c',
  ϳ: 'j',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  Ϲ: 'C',
  // Latin letters that pass for others
  ı: 'i',
  ɑ: 'a',
  ɡ: 'g',
  ꞵ: 'b',
};

/** The name as shown: invisible characters removed. */
export function visibleName(name: string): string {
  return name.replace(INVISIBLE, '');
}

/** What a name reads as: two names with the same skeleton cannot be told apart on screen. */
export function nameSkeleton(name: string): string {
  let out = '';
  for (const c of visibleName(name.normalize('NFKC'))) out += LOOK_ALIKES[c] ?? c;
  return out.normalize('NFKC');
}

/**
 * The characters of `name` that make it read like another name, as `U+200B` code points, so a
 * message can say what to remove; empty when there are none.
 */
export function deceptiveCharacters(name: string): string[] {
  const found = new Set<string>();
  for (const c of name) {
    if (
      c.replace(INVISIBLE, '') === '' ||
      LOOK_ALIKES[c] !== undefined ||
      c.normalize('NFKC') !== c
    ) {
      found.add(`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
    }
  }
  return [...found];
}

/** A name quoted for a message, with every deceptive character written as \u{…}. */
export function quoteName(name: string): string {
  let out = '';
  for (const c of name) {
    const odd =
      c.replace(INVISIBLE, '') === '' || LOOK_ALIKES[c] !== undefined || c.normalize('NFKC') !== c;
    out += odd ? `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}` : c;
  }
  return JSON.stringify(out.length > 80 ? `${out.slice(0, 77)}...` : out).replace(
    /\\\\u\{/g,
    '\\u{',
  );
}
