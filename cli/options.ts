import { InvalidArgumentError } from 'commander';

/** Option parsers: a bad value is a usage error naming the option, before any request is sent. */
export function integerIn(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}.`);
    return value;
  };
}

export function numberIn(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max)
      throw new InvalidArgumentError(`must be a number from ${min} to ${max}.`);
    return value;
  };
}

/** `a,b, c` → ['a', 'b', 'c']. */
export function commaList(text: string): string[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('must name at least one value, comma-separated.');
  return items;
}

export function oneOf<T extends string>(values: readonly T[]) {
  return (text: string): T => {
    if (!(values as readonly string[]).includes(text)) throw new InvalidArgumentError(`must be one of: ${values.join(', ')}.`);
    return text as T;
  };
}

/** For repeatable options: `--fail-under a=1 --fail-under b=2`. */
export function collect<T>(parse: (text: string) => T) {
  return (text: string, previous: T[] = []): T[] => [...previous, parse(text)];
}
