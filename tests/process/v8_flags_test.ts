import assert from "node:assert/strict";
import { AGENT_V8_FLAGS, AGENT_V8_FLAGS_VALUE } from "../../src/process/v8_flags.ts";
import { systemdUnit } from "../../src/install/plan.ts";
import { GATEWAY_RUN_ARGS } from "../../scripts/build/bundle.ts";
import { compileArgs } from "../../scripts/build/compile.ts";

Deno.test("the systemd unit runs the agent with the V8 flags", () => {
  const unit = systemdUnit({ bin: "/usr/local/bin/holdfast", user: "holdfast", servers: [] });
  assert.match(unit, new RegExp(`^Environment=DENO_V8_FLAGS=${AGENT_V8_FLAGS_VALUE}$`, "m"));
});

Deno.test("deno task start, the gateway wrapper and the compiled binary run the agent with the V8 flags", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.ok(config.tasks.start.includes(` --v8-flags=${AGENT_V8_FLAGS_VALUE} `), "start");
  const flag = `--v8-flags=${AGENT_V8_FLAGS_VALUE}`;
  assert.ok(GATEWAY_RUN_ARGS.includes(flag), "the gateway wrapper");
  for (const task of ["compile", "compile:arm64"]) {
    assert.match(config.tasks[task], /^deno run -A scripts\/build\/compile\.ts /, task);
  }
  assert.ok(compileArgs("holdfast.js", "holdfast").includes(flag), "deno compile");
});

Deno.test("V8 accepts every flag", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", `--v8-flags=${AGENT_V8_FLAGS.join(",")}`, "1"],
    stderr: "piped",
  }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
});
