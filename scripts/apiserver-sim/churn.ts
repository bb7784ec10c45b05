/**
 * Bulk changes at a steady rate: modify (bump an annotation), add (copies of an existing object),
 * delete, or all three in turn, on one resource type, so watches carry a known event rate.
 * @module
 */
import type { Json } from "./fixtures.ts";
import type { ResourceType } from "./resources.ts";
import type { Store } from "./store.ts";
import { StatusError, type Writer } from "./writes.ts";

/** What to change and how fast. */
export interface ChurnOptions {
  /** `pods`, `leases.coordination.k8s.io`, … */
  resource: string;
  /** Changes per second. */
  rate: number;
  /** Stop after this many changes (default: until `durationMs` or `stop()`). */
  count?: number;
  /** Stop after this long. */
  durationMs?: number;
  /** Default `modify`; `mixed` cycles add, modify, delete. */
  op?: "modify" | "add" | "delete" | "mixed";
  /** Only objects in this namespace (and adds go there). */
  namespace?: string;
}

/** A running churn. */
export interface Churn {
  /** Resolves with the number of changes made once it stops. */
  done: Promise<number>;
  /** Stops it. */
  stop(): void;
}

/** The annotation a `modify` change bumps. */
export const CHURN_ANNOTATION = "apiserver-sim/churn";

/** Starts changing objects of `type` as `options` say. */
export function startChurn(
  store: Store,
  writer: Writer,
  type: ResourceType,
  options: ChurnOptions,
): Churn {
  if (!(options.rate > 0)) throw new TypeError("churn rate must be > 0");
  const op = options.op ?? "modify";
  const namespace = options.namespace;
  const limit = options.count ?? Infinity;
  const started = performance.now();
  const added: string[] = [];
  let made = 0;
  let cursor = 0;
  let finish!: (n: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));

  const candidates = () =>
    store.current(type).filter((e) => !namespace || e.metadata.namespace === namespace);
  const target = (entry: { metadata: Json }) => ({
    type,
    namespace: type.namespaced ? entry.metadata.namespace as string : "",
  });

  function change(kind: "modify" | "add" | "delete"): void {
    const entries = candidates();
    if (kind === "add" || entries.length === 0) {
      const template = entries[0]?.object;
      if (!template) return;
      const { metadata, ...rest } = template;
      const meta = metadata as Json;
      const name = `${meta.name}-churn-${made}`;
      writer.create(target({ metadata: meta }), {
        ...rest,
        metadata: { name, namespace: meta.namespace, labels: meta.labels },
      });
      added.push(type.namespaced ? `${meta.namespace}/${name}` : name);
      return;
    }
    if (kind === "delete") {
      const key = added.shift();
      const entry = (key && store.get(type, key)) || entries[cursor++ % entries.length];
      writer.delete(target(entry), entry.metadata.name as string);
      return;
    }
    const entry = entries[cursor++ % entries.length];
    writer.patch(target(entry), entry.metadata.name as string, "application/merge-patch+json", {
      metadata: { annotations: { [CHURN_ANNOTATION]: String(made) } },
    });
  }

  const timer = setInterval(() => {
    const elapsed = performance.now() - started;
    if (options.durationMs !== undefined && elapsed >= options.durationMs) return stop();
    const due = Math.min(limit, Math.floor((elapsed * options.rate) / 1000) + 1);
    while (made < due) {
      const kind = op === "mixed" ? (["add", "modify", "delete"] as const)[made % 3] : op;
      try {
        change(kind);
      } catch (error) {
        // A change another writer made impossible (name taken, object gone) is skipped.
        if (!(error instanceof StatusError)) throw error;
      }
      made++;
    }
    if (made >= limit) stop();
  }, 5);

  function stop(): void {
    clearInterval(timer);
    finish(made);
  }
  return { done, stop };
}
