/**
 * `deno task sim:compare`: starts a real kube-apiserver (binaries built or reused, see
 * `scripts/realcluster/`) and the simulator side by side, sends both the same requests and prints
 * every difference between their answers, explained or not. Exits 1 when a difference is not
 * explained.
 * @module
 */
import { compareServers, differences, formatDifferences } from "./compare.ts";
import { startServers } from "./servers.ts";

await using servers = await startServers((line) => console.error(`compare: ${line}`));
const rows = await compareServers(servers.real, servers.sim);
console.log(formatDifferences(rows));
const unexplained = differences(rows).filter((row) => !row.explained);
if (unexplained.length) Deno.exitCode = 1;
