/**
 * The Porter stemming algorithm (Porter 1980) as in Martin Porter's reference implementation, including its
 * two documented departures from the paper (-bli → -ble, -logi → -log). ROUGE with stemming uses it so
 * "jumps" and "jumping" count as the same word. Input is a lower-case ASCII word (what the ROUGE tokeniser
 * produces). NLTK's default mode, which Google's rouge-score uses, adds a few extensions for irregular
 * words (e.g. "dying" → "die"); those words may stem differently here.
 */

class Stemmer {
  private readonly b: string[];
  /** End of the current word (inclusive). */
  private k: number;
  /** End of the stem once a suffix matched (inclusive). */
  private j = 0;

  constructor(word: string) {
    this.b = word.split('');
    this.k = this.b.length - 1;
  }

  result(): string {
    return this.b.slice(0, this.k + 1).join('');
  }

  /** b[i] is a consonant: not a vowel, and y only after a vowel (or at the start). */
  private consonant(i: number): boolean {
    const c = this.b[i];
    if (c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u') return false;
    if (c === 'y') return i === 0 || !this.consonant(i - 1);
    return true;
  }

  /** m, the number of vowel–consonant sequences in b[0..j]: [C](VC)^m[V]. */
  private measure(): number {
    let n = 0;
    let i = 0;
    while (true) {
      if (i > this.j) return n;
      if (!this.consonant(i)) break;
      i++;
    }
    i++;
    while (true) {
      while (true) {
        if (i > this.j) return n;
        if (this.consonant(i)) break;
        i++;
      }
      i++;
      n++;
      while (true) {
        if (i > this.j) return n;
        if (!this.consonant(i)) break;
        i++;
      }
      i++;
    }
  }

  private vowelInStem(): boolean {
    for (let i = 0; i <= this.j; i++) if (!this.consonant(i)) return true;
    return false;
  }

  private doubleConsonant(i: number): boolean {
    return i >= 1 && this.b[i] === this.b[i - 1] && this.consonant(i);
  }

  /** consonant–vowel–consonant ending at i, the last not w, x or y: "hop", not "snow". */
  private cvc(i: number): boolean {
    if (i < 2 || !this.consonant(i) || this.consonant(i - 1) || !this.consonant(i - 2)) return false;
    const c = this.b[i];
    return c !== 'w' && c !== 'x' && c !== 'y';
  }

  private ends(suffix: string): boolean {
    const length = suffix.length;
    if (length > this.k + 1) return false;
    for (let i = 0; i < length; i++) if (this.b[this.k - length + 1 + i] !== suffix[i]) return false;
    this.j = this.k - length;
    return true;
  }

  private setTo(replacement: string): void {
    for (let i = 0; i < replacement.length; i++) this.b[this.j + 1 + i] = replacement[i]!;
    this.k = this.j + replacement.length;
  }

  private replaceIfMeasured(replacement: string): void {
    if (this.measure() > 0) this.setTo(replacement);
  }

  /** Plurals and -ed / -ing. */
  step1ab(): void {
    if (this.b[this.k] === 's') {
      if (this.ends('sses')) this.k -= 2;
      else if (this.ends('ies')) this.setTo('i');
      else if (this.b[this.k - 1] !== 's') this.k--;
    }
    if (this.ends('eed')) {
      if (this.measure() > 0) this.k--;
    } else if ((this.ends('ed') || this.ends('ing')) && this.vowelInStem()) {
      this.k = this.j;
      if (this.ends('at')) this.setTo('ate');
      else if (this.ends('bl')) this.setTo('ble');
      else if (this.ends('iz')) this.setTo('ize');
      else if (this.doubleConsonant(this.k)) {
        this.k--;
        const c = this.b[this.k];
        if (c === 'l' || c === 's' || c === 'z') this.k++;
      } else if (this.measure() === 1 && this.cvc(this.k)) this.setTo('e');
    }
  }

  /** Terminal y → i when there is another vowel in the stem. */
  step1c(): void {
    if (this.ends('y') && this.vowelInStem()) this.b[this.k] = 'i';
  }

  /** Double suffixes to single ones, keyed by the penultimate letter as in the reference implementation. */
  step2(): void {
    const rules: Record<string, [string, string][]> = {
      a: [
        ['ational', 'ate'],
        ['tional', 'tion'],
      ],
      c: [
        ['enci', 'ence'],
        ['anci', 'ance'],
      ],
      e: [['izer', 'ize']],
      l: [
        ['bli', 'ble'],
        ['alli', 'al'],
        ['entli', 'ent'],
        ['eli', 'e'],
        ['ousli', 'ous'],
      ],
      o: [
        ['ization', 'ize'],
        ['ation', 'ate'],
        ['ator', 'ate'],
      ],
      s: [
        ['alism', 'al'],
        ['iveness', 'ive'],
        ['fulness', 'ful'],
        ['ousness', 'ous'],
      ],
      t: [
        ['aliti', 'al'],
        ['iviti', 'ive'],
        ['biliti', 'ble'],
      ],
      g: [['logi', 'log']],
    };
    this.applyFirst(rules[this.b[this.k - 1] ?? ''] ?? []);
  }

  /** -ic-, -full, -ness etc. */
  step3(): void {
    const rules: Record<string, [string, string][]> = {
      e: [
        ['icate', 'ic'],
        ['ative', ''],
        ['alize', 'al'],
      ],
      i: [['iciti', 'ic']],
      l: [
        ['ical', 'ic'],
        ['ful', ''],
      ],
      s: [['ness', '']],
    };
    this.applyFirst(rules[this.b[this.k] ?? ''] ?? []);
  }

  private applyFirst(rules: readonly [string, string][]): void {
    for (const [suffix, replacement] of rules) {
      if (this.ends(suffix)) {
        this.replaceIfMeasured(replacement);
        return;
      }
    }
  }

  /** Removes -ant, -ence etc. when the remaining stem has m > 1. */
  step4(): void {
    const suffixes: Record<string, string[]> = {
      a: ['al'],
      c: ['ance', 'ence'],
      e: ['er'],
      i: ['ic'],
      l: ['able', 'ible'],
      n: ['ant', 'ement', 'ment', 'ent'],
      s: ['ism'],
      t: ['ate', 'iti'],
      u: ['ous'],
      v: ['ive'],
      z: ['ize'],
    };
    const penultimate = this.b[this.k - 1] ?? '';
    let matched = false;
    if (penultimate === 'o') {
      matched = (this.ends('ion') && this.j >= 0 && (this.b[this.j] === 's' || this.b[this.j] === 't')) || this.ends('ou');
    } else {
      // The first suffix that matches decides, even when its stem is too short (as in the reference).
      matched = (suffixes[penultimate] ?? []).some((suffix) => this.ends(suffix));
    }
    if (matched && this.measure() > 1) this.k = this.j;
  }

  /** Final -e, and -ll → -l, on long enough stems. */
  step5(): void {
    this.j = this.k;
    if (this.b[this.k] === 'e') {
      const m = this.measure();
      if (m > 1 || (m === 1 && !this.cvc(this.k - 1))) this.k--;
    }
    if (this.b[this.k] === 'l' && this.doubleConsonant(this.k) && this.measure() > 1) this.k--;
  }
}

export function porterStem(word: string): string {
  // Words of one or two letters are left alone (the reference implementation's rule).
  if (word.length <= 2) return word;
  const stemmer = new Stemmer(word);
  stemmer.step1ab();
  stemmer.step1c();
  stemmer.step2();
  stemmer.step3();
  stemmer.step4();
  stemmer.step5();
  return stemmer.result();
}
