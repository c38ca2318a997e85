/**
 * The per-user temporal split of the offline evaluation: each user's interactions sorted by time
 * (ties by item), the most recent `testShare` (at least one) held out as what the models must
 * predict, the rest for training. Users with fewer than two interactions stay wholly in training.
 */
export interface Timed {
  user: string;
  item: string;
  at: number;
}

export function temporalSplit<T extends Timed>(
  rows: readonly T[],
  testShare = 0.2,
): { train: T[]; test: T[] } {
  const byUser = new Map<string, T[]>();
  for (const row of rows) {
    const list = byUser.get(row.user);
    if (list) list.push(row);
    else byUser.set(row.user, [row]);
  }
  const train: T[] = [];
  const test: T[] = [];
  for (const list of byUser.values()) {
    list.sort((a, b) => a.at - b.at || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0));
    const held = list.length < 2 ? 0 : Math.max(1, Math.round(list.length * testShare));
    train.push(...list.slice(0, list.length - held));
    test.push(...list.slice(list.length - held));
  }
  return { train, test };
}
