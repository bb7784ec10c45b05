import assert from "node:assert/strict";
import { Store } from "../../../scripts/apiserver-sim/store.ts";
import type { ResourceType } from "../../../scripts/apiserver-sim/resources.ts";

const type: ResourceType = {
  group: "",
  version: "v1",
  groupVersion: "v1",
  resource: "configmaps",
  kind: "ConfigMap",
  listKind: "ConfigMapList",
  namespaced: true,
  hasStatus: false,
  custom: false,
  returnsDeletedObject: false,
  discovery: { singularName: "configmap", verbs: [] },
};
const cm = (name: string, value = "") => ({
  kind: "ConfigMap",
  apiVersion: "v1",
  metadata: { name, namespace: "ns" },
  data: { value },
});

Deno.test("store: every change takes the next resourceVersion", () => {
  const store = new Store(10);
  const a = store.put(type, cm("a"));
  const b = store.put(type, cm("a", "x"));
  const c = store.remove(type, "ns/a")!;
  assert.deepEqual([a.entry.rv, b.entry.rv, c.entry.rv], [1, 2, 3]);
  assert.deepEqual([a.type, b.type, c.type], ["ADDED", "MODIFIED", "DELETED"]);
  assert.equal(c.entry.metadata.resourceVersion, "3");
});

Deno.test("store: current lists in key order", () => {
  const store = new Store(10);
  for (const name of ["b", "c", "a"]) store.put(type, cm(name));
  assert.deepEqual(store.current(type).map((e) => e.key), ["ns/a", "ns/b", "ns/c"]);
});

Deno.test("store: a snapshot undoes later changes", () => {
  const store = new Store(10);
  store.put(type, cm("a", "1"));
  store.put(type, cm("b"));
  const rv = store.resourceVersion;
  store.put(type, cm("a", "2"));
  store.remove(type, "ns/b");
  store.put(type, cm("c"));
  const snapshot = store.snapshot(type, rv)!;
  assert.deepEqual(snapshot.map((e) => [e.key, (e.object.data as { value: string }).value]), [
    ["ns/a", "1"],
    ["ns/b", ""],
  ]);
});

Deno.test("store: changes beyond the history size make older versions too old", () => {
  const store = new Store(2);
  for (let i = 0; i < 4; i++) store.put(type, cm("a", String(i)));
  assert.equal(store.oldestResourceVersion, 2);
  assert.equal(store.changesSince(type, 1), undefined);
  assert.deepEqual(store.changesSince(type, 2)!.map((c) => c.entry.rv), [3, 4]);
});

Deno.test("store: compact forgets the history", () => {
  const store = new Store(10);
  store.put(type, cm("a"));
  store.compact();
  assert.equal(store.changesSince(type, 0), undefined);
  assert.deepEqual(store.changesSince(type, 1), []);
});

Deno.test("store: listeners see changes of their type only, until unsubscribed", () => {
  const store = new Store(10);
  const other = { ...type, resource: "secrets" };
  const seen: string[] = [];
  const unsubscribe = store.subscribe(type, (c) => seen.push(c.type));
  store.put(type, cm("a"));
  store.put(other, cm("s"));
  unsubscribe();
  store.put(type, cm("b"));
  assert.deepEqual(seen, ["ADDED"]);
});

Deno.test("store: restore goes back to a version, as an etcd restore", () => {
  const store = new Store(10);
  store.put(type, cm("a"));
  store.put(type, cm("b"));
  store.put(type, cm("a", "changed"));
  store.remove(type, "ns/b");
  store.put(type, cm("c"));
  store.restore(2);
  assert.deepEqual(store.resourceVersion, 2);
  assert.deepEqual(store.current(type).map((e) => [e.key, e.rv, e.object.data]), [
    ["ns/a", 1, { value: "" }],
    ["ns/b", 2, { value: "" }],
  ]);
  assert.deepEqual(store.put(type, cm("d")).entry.rv, 3);
  assert.deepEqual(store.changesSince(type, 1), undefined);
  assert.throws(() => store.restore(1), RangeError);
});

Deno.test("store: resourceVersion is written where kube-apiserver writes it, after uid", () => {
  const store = new Store(10);
  const metadata = {
    name: "a",
    namespace: "ns",
    uid: "u",
    creationTimestamp: "2026-01-01T00:00:00Z",
    labels: { app: "a" },
    managedFields: [],
  };
  const { entry } = store.put(type, { ...cm("a"), metadata });
  const order = ["name", "namespace", "uid", "resourceVersion", "creationTimestamp", "labels"];
  assert.deepEqual(Object.keys(entry.metadata), [...order, "managedFields"]);
  const again = store.put(type, { ...cm("a", "x"), metadata: entry.metadata });
  assert.deepEqual(Object.keys(again.entry.metadata), [...order, "managedFields"]);
  assert.equal(again.entry.metadata.resourceVersion, "2");
  const bare = store.put(type, cm("b")).entry;
  assert.deepEqual(Object.keys(bare.metadata), ["name", "namespace", "resourceVersion"]);
});
