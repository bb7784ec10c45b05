/**
 * Offline, cached answers belong to the identity that asked the cloud for them. A request whose
 * own partition holds nothing of a resource that another identity's does is refused with 403
 * Forbidden rather than 503: holdfast knows who it is (the node, a verified certificate or a
 * token the cloud accepted), and that the cached copy is someone else's.
 * @module
 */
import { forbidden, type Status } from "../../kube/status.ts";
import { type Classified, isResourceRequest } from "../classify.ts";
import type { LocalContext } from "./context.ts";

/** 403 when only other identities than the request's hold its resource; otherwise undefined. */
export async function othersOnly(
  context: LocalContext,
  classified: Classified,
): Promise<Status | undefined> {
  if (!isResourceRequest(classified)) return undefined;
  const { identity, query } = classified;
  if (identity === undefined || query === undefined) return undefined;
  const held = (await context.store.stats()).filter((stats) =>
    stats.group === query.group && stats.version === query.version &&
    stats.resource === query.resource
  );
  if (held.some((stats) => stats.component === query.component)) return undefined;
  // The same identity's answers under another component are its own, only not for this client.
  const others = held.filter((stats) => !stats.component.endsWith(`/${identity}`));
  if (!others.some((stats) => stats.queries > 0 || stats.objects > 0)) return undefined;
  return forbidden(
    `the cloud kube-apiserver is unreachable, and holdfast holds ${query.resource} only as ` +
      `cached for other identities than this request's (${identity})`,
  );
}
