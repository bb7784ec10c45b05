/**
 * holdfast: the command-line entry. All behaviour lives in `src/`.
 * @module
 */
import { main } from "./src/cli/main.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
