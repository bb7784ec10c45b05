/**
 * `deno task nodeclient -- --kubeconfig FILE [...]`: builds (first time) or reuses the client-go
 * program in `nodeclient/` and runs it with the given arguments, its output passed through. See
 * `nodeclient/main.go` for what it does and its flags.
 * @module
 */
import { ensureBinary, NODECLIENT, planBinary } from "./binaries.ts";

const plan = await planBinary(NODECLIENT);
const { path } = await ensureBinary(plan, (line) => console.error(`nodeclient: ${line}`));
const child = new Deno.Command(path, { args: Deno.args, stdin: "null" }).spawn();
const forward = (signal: Deno.Signal) => () => child.kill(signal);
Deno.addSignalListener("SIGINT", forward("SIGINT"));
Deno.addSignalListener("SIGTERM", forward("SIGTERM"));
Deno.exit((await child.status).code);
