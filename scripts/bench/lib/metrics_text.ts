/**
 * Reads one counter out of Prometheus text exposition (the agent's `GET /metrics`).
 * @module
 */

/** Sums the samples of `name` whose labels include every pair of `labels`. */
export function sumSamples(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    let labelText = "";
    let valueText: string;
    if (rest.startsWith("{")) {
      const end = rest.indexOf("}");
      labelText = rest.slice(1, end);
      valueText = rest.slice(end + 1);
    } else if (rest.startsWith(" ")) {
      valueText = rest;
    } else {
      continue;
    }
    const found = new Map<string, string>();
    for (const match of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      found.set(match[1], match[2]);
    }
    if (Object.entries(labels).every(([k, v]) => found.get(k) === v)) {
      total += Number(valueText.trim().split(" ")[0]);
    }
  }
  return total;
}
