/**
 * `HOST:PORT` listen addresses (`127.0.0.1:10261`, `[::1]:10261`, `0.0.0.0:0`).
 * @module
 */
import type { ListenAddress } from "./types.ts";

/**
 * Parses `HOST:PORT` (IPv6 hosts in brackets). Port 0 asks the system for a free port.
 * Returns the address, or a sentence saying what is wrong.
 */
export function parseListenAddress(text: string): ListenAddress | string {
  const colon = text.lastIndexOf(":");
  if (colon < 0) return `"${text}" is not HOST:PORT (e.g. 127.0.0.1:10261)`;
  let hostname = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (hostname.startsWith("[") && hostname.endsWith("]")) {
    hostname = hostname.slice(1, -1);
  } else if (hostname.includes(":")) {
    return `"${text}" is not HOST:PORT (write IPv6 hosts in brackets, e.g. [::1]:10261)`;
  }
  if (hostname === "") {
    return `"${text}" has no host (e.g. 127.0.0.1${text} or 0.0.0.0${text})`;
  }
  if (/\s|[\[\]/]/.test(hostname)) return `"${hostname}" is not a host name or IP address`;
  if (!/^\d+$/.test(portText)) return `"${text}" has no numeric port`;
  const port = Number(portText);
  if (port > 65535) return `port ${port} is out of range (0-65535)`;
  return { hostname, port };
}

/** Formats an address back to `HOST:PORT`, bracketing IPv6 hosts. */
export function formatListenAddress(address: ListenAddress): string {
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  return `${host}:${address.port}`;
}

/** Whether a listen host is loopback only: `localhost`, 127.0.0.0/8, `::1` or IPv4-mapped 127.x. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "::1" || /^(::ffff:)?127\.[\d.]+$/.test(host);
}
