/**
 * "Did you mean" for misspelt keys and values: the closest allowed word by edit distance,
 * counting a swap of two neighbouring characters as one edit (`p59` is one edit from `p95`).
 */

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

function sameLetters(a: string, b: string): boolean {
  return [...a].sort().join('') === [...b].sort().join('');
}

/**
 * The allowed word closest to `word`, if close enough to be a likely typo: one edit per three
 * letters (at least one). Case and `_` for `-` are not counted. On a
 * tie, a word with the same letters wins (a swap is the likelier slip: `p59` → `p95`, not `p50`),
 * then the earlier word in `allowed`.
 */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  // A file can repeat one misspelling thousands of times: each is worked out once.
  const key = `${word}\u0000${allowed.join('\u0000')}`;
  if (remembered.has(key)) return remembered.get(key);
  const found = nearest(word, allowed);
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  remembered.set(key, found);
  return found;
}

const MAX_REMEMBERED = 1000;
const remembered = new Map<string, string | undefined>();

function nearest(word: string, allowed: readonly string[]): string | undefined {
  const w = word.toLowerCase().replace(/_/g, '-');
  const limit = Math.max(1, Math.floor(w.length / 3));
  let best: { word: string; distance: number; anagram: boolean } | undefined;
  for (const candidate of allowed) {
    if (candidate === word) continue;
    const c = candidate.toLowerCase();
    // The distance is at least the difference in length: no table needed (a long key stays cheap).
    if (Math.abs(w.length - c.length) > limit) continue;
    const distance = editDistance(w, c);
    if (distance > limit) continue;
    const anagram = sameLetters(w, c);
    if (
      !best ||
      distance < best.distance ||
      (distance === best.distance && anagram && !best.anagram)
    ) {
      best = { word: candidate, distance, anagram };
    }
  }
  if (best) return best.word;
  // A cut-short key (`max-inc`) is a prefix of the one meant.
  const prefixed = w.length >= 3 ? allowed.filter((c) => c.toLowerCase().startsWith(w)) : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
