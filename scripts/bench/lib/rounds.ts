/**
 * Measurements in rotating rounds: every target once per round, the order shifted by one each
 * round, so that load from anything else on the machine falls on every target alike and a ratio
 * between two targets can be taken round by round.
 * @module
 */

/**
 * Runs `measure` for each of `names` in each of `rounds` rounds, round `r` starting at the
 * `r`-th name (`afterRound` is told the results so far after each); gives each name's results in
 * round order.
 */
export async function inRotatingRounds<Name extends string, Result>(
  names: readonly Name[],
  rounds: number,
  measure: (name: Name) => Promise<Result>,
  afterRound?: (results: Record<Name, Result[]>, round: number) => void,
): Promise<Record<Name, Result[]>> {
  const results = {} as Record<Name, Result[]>;
  for (const name of names) results[name] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      results[name].push(await measure(name));
    }
    afterRound?.(results, round);
  }
  return results;
}
