/**
 * `holdfast status`: asks a running agent's admin listener for `GET /v1/status` and prints it.
 * @module
 */
import type { StatusReport } from "../admin/status_report.ts";
import { DEFAULTS } from "../config/fields.ts";
import type { CommandSpec } from "./args.ts";
import type { CliContext } from "./context.ts";
import { formatStatus } from "./status_format.ts";

const TIMEOUT_MS = 5000;

/** The `status` command: exit 0 when the agent answered, 1 when it could not be asked, 2 on usage. */
export function statusCommand(ctx: CliContext): CommandSpec {
  return {
    name: "status",
    description: "show a running agent's mode, upstream health and cache contents",
    options: [
      {
        flag: "--admin",
        arg: "URL",
        help: "the agent's admin listener",
        default: `http://${DEFAULTS.adminListen}`,
      },
      { flag: "--json", help: "print the raw JSON report" },
    ],
    action: async (_args, options) => {
      const admin = options["--admin"] as string;
      const url = statusUrl(admin);
      if (!url) {
        ctx.err(`holdfast: status: --admin: "${admin}" is not an http(s) URL\n`);
        ctx.exitCode = 2;
        return;
      }
      let report: StatusReport;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
        if (!response.ok) {
          await response.body?.cancel();
          throw new Error(`HTTP ${response.status} ${response.statusText}`);
        }
        report = await response.json();
      } catch (err) {
        const reason = err instanceof Error ? describeFailure(err) : String(err);
        ctx.err(`holdfast: status: cannot get ${url}: ${reason}\n`);
        ctx.exitCode = 1;
        return;
      }
      ctx.out(options["--json"] ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
      ctx.exitCode = 0;
    },
  };
}

function statusUrl(admin: string): URL | undefined {
  try {
    const url = new URL("/v1/status", admin);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

function describeFailure(err: Error): string {
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message}${cause}`;
}
