/**
 * The client component of a request, as YurtHub derives it: the User-Agent before its first `/`,
 * trimmed and lower-cased (`kubelet/v1.30.1 (linux/amd64) kubernetes/abc` → `kubelet`). Pure.
 * @module
 */

/** Longest component name kept; longer names are cut so they stay small inside cache keys. */
export const MAX_COMPONENT_LENGTH = 128;

/** The component named by `userAgent`, or "" when there is none (no header, blank, or `/…`). */
export function componentOf(userAgent: string | null): string {
  if (!userAgent) return "";
  const slash = userAgent.indexOf("/");
  const head = slash === -1 ? userAgent : userAgent.slice(0, slash);
  return head.trim().toLowerCase().slice(0, MAX_COMPONENT_LENGTH).trimEnd();
}
