/** "Did you mean": the closest known word by edit distance, when it is close enough. */

/** Levenshtein distance. */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

/** The first of `known` nearest to `word`, if its distance is at most `max`. */
export function closest<T extends string>(word: string, known: Iterable<T>, max: number): T | undefined {
  let best: T | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(word, k);
    if (d < bestD) { bestD = d; best = k; }
  }
  return bestD <= max ? best : undefined;
}
