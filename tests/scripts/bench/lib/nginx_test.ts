import { assert } from "../../../assert.ts";
import { nginxConfig } from "../../../../scripts/bench/lib/nginx.ts";

Deno.test("nginxConfig: one foreground process streaming to a keep-alive upstream", () => {
  const config = nginxConfig("/tmp/x", 8081, "127.0.0.1:6443");
  assert(config.includes("daemon off;"));
  assert(config.includes("master_process off;"));
  assert(config.includes("listen 127.0.0.1:8081;"));
  assert(config.includes("server 127.0.0.1:6443;"));
  assert(config.includes("proxy_buffering off;"));
  assert(config.includes("keepalive"));
});

Deno.test("nginxConfig: every temp and pid path stays inside the given folder", () => {
  const config = nginxConfig("/tmp/x", 8081, "127.0.0.1:6443");
  for (const match of config.matchAll(/(?:_path|pid|error_log) (\S+)/g)) {
    assert(match[1].startsWith("/tmp/x/"), match[0]);
  }
});
