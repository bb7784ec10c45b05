/**
 * Debian's nginx as the baseline reverse proxy: a generated config in a temporary folder, one
 * single-process server in the foreground (`daemon off; master_process off;`), streaming
 * (`proxy_buffering off`) to a keep-alive upstream pool, as holdfast does.
 * @module
 */
import type { BenchContext } from "./measure.ts";
import { type BenchProcess, freePort, spawnProcess, waitForHttp } from "./processes.ts";

/** The nginx binary Debian installs. */
export const NGINX_BINARY = "/usr/sbin/nginx";

/** A running nginx. */
export interface NginxHandle {
  proc: BenchProcess;
  url: string;
  stop(): Promise<void>;
}

/** True when {@linkcode NGINX_BINARY} exists. */
export async function nginxAvailable(): Promise<boolean> {
  try {
    return (await Deno.stat(NGINX_BINARY)).isFile;
  } catch {
    return false;
  }
}

/** The nginx configuration proxying `127.0.0.1:<listenPort>` to `upstream` (host:port). */
export function nginxConfig(dir: string, listenPort: number, upstream: string): string {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream apiserver {
    server ${upstream};
    keepalive 128;
  }
  server {
    listen 127.0.0.1:${listenPort};
    location / {
      proxy_pass http://apiserver;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 3600s;
    }
  }
}
`;
}

/** Starts nginx in front of `upstreamUrl` and waits until it answers. */
export async function startNginx(ctx: BenchContext, upstreamUrl: string): Promise<NginxHandle> {
  const dir = await Deno.makeTempDir({ prefix: "holdfast-nginx-" });
  const port = freePort();
  await Deno.writeTextFile(`${dir}/nginx.conf`, nginxConfig(dir, port, new URL(upstreamUrl).host));
  const proc = await spawnProcess({
    name: "nginx",
    command: NGINX_BINARY,
    args: ["-p", dir, "-e", `${dir}/error.log`, "-c", `${dir}/nginx.conf`],
    logDir: `${ctx.runDir}/logs`,
    maxLifetimeMs: 20 * 60_000,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/version`, proc, 10_000);
  } catch (error) {
    await proc.stop();
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  return {
    proc,
    url,
    async stop() {
      await proc.stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
