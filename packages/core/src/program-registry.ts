/**
 * One map per program under `key`, even when a bundler loads two copies of the module asking for it: the
 * map lives on globalThis under a registered symbol. `initial` fills it the first time it is asked for.
 */
export function programWideMap<V>(key: string, initial: () => Iterable<readonly [string, V]> = () => []): Map<string, V> {
  const symbol = Symbol.for(key);
  const holder = globalThis as { [symbol]?: Map<string, V> };
  holder[symbol] ??= new Map(initial());
  return holder[symbol];
}
