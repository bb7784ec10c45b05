import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { VERSION } from "../../src/version.ts";
import { runMain } from "./capture.ts";

Deno.test("VERSION equals deno.json's version", () => {
  assert.equal(VERSION, denoJson.version);
});

Deno.test("holdfast version prints 'holdfast <version>'", async () => {
  assert.deepEqual(await runMain(["version"]), {
    code: 0,
    stdout: `holdfast ${VERSION}\n`,
    stderr: "",
  });
});

Deno.test("holdfast --version prints the same", async () => {
  const outcome = await runMain(["--version"]);
  assert.equal(outcome.code, 0);
  assert.equal(outcome.stdout, `holdfast ${VERSION}\n`);
});
