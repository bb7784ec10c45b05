/**
 * File paths named inside a config file or kubeconfig, taken from that file's folder: plain
 * string code (POSIX paths), so the config layer needs no `node:path`.
 * @module
 */

/**
 * `path` as named inside `file`: an absolute or empty `path` as it is, a relative one joined to
 * the folder `file` is in and normalized (as `node:path`'s `join(dirname(file), path)`).
 */
export function besideFile(file: string, path: string): string {
  if (path === "" || path.startsWith("/")) return path;
  return normalize(`${folderOf(file)}/${path}`);
}

/** The folder part of `path`: `.` when it has none, `/` for a file at the root. */
function folderOf(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return path.startsWith("/") ? "/" : ".";
  const slash = trimmed.lastIndexOf("/");
  if (slash === -1) return ".";
  return trimmed.slice(0, slash).replace(/\/+$/, "") || "/";
}

/** Drops empty and `.` segments and resolves `..` as far as the path allows. */
function normalize(path: string): string {
  const absolute = path.startsWith("/");
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== "..") parts.push(part);
    else if (parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
    else if (!absolute) parts.push("..");
  }
  const joined = parts.join("/");
  const trailing = path.endsWith("/") && joined !== "" ? "/" : "";
  return absolute ? `/${joined}${trailing}` : `${joined || "."}${trailing}`;
}
