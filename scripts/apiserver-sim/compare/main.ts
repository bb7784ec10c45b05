/**
 * `deno task sim:compare`: starts a real kube-apiserver (binaries built or reused, see
 * `scripts/realcluster/`) and the simulator side by side, sends both the same requests, runs the
 * client-go `nodeclient` against each, and prints every difference, explained or not. Exits 1
 * when a difference is not explained.
 * @module
 */
import { ensureBinary, NODECLIENT, planBinary } from "../../realcluster/binaries.ts";
import { compareAll, differences, formatDifferences } from "./compare.ts";
import { startServers } from "./servers.ts";

const log = (line: string) => console.error(`compare: ${line}`);
const nodeclient = await ensureBinary(await planBinary(NODECLIENT), log);
await using servers = await startServers(log);
const rows = await compareAll(servers, nodeclient.path);
console.log(formatDifferences(rows));
if (differences(rows).some((row) => !row.explained)) Deno.exitCode = 1;
