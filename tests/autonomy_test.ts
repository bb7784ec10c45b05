/**
 * The offline-autonomy scenario with real clients: `@kubernetes/client-node` informers and Debian's
 * python3-kubernetes client, both sending kubelet's User-Agent, keep working online, through a cut
 * link, across an agent restart while offline, and after the link is back — when they see what
 * changed upstream meanwhile and the events they created offline reach the cloud. The only
 * errors they may see are the documented 503s with Retry-After, plus connection failures while
 * the agent itself is stopped.
 *
 * client-node 2.0.1 refuses `http:` servers unless the cluster has `skipTLSVerify: true` (its
 * documented escape for plain HTTP); the informers use that with holdfast's plain listener.
 * @module
 */
import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { type Stack, startStack } from "./harness.ts";
import { readEvents } from "./proxy/local/harness.ts";
import { testWith } from "./requirements.ts";

/** The tests here that drive python3-kubernetes: skipped, saying so, where it is missing. */
const test = testWith("python3-kubernetes");

const KUBELET = "kubelet/v1.30.0 (linux/amd64) kubernetes/abc";
const NODE = "node-0";
const PYTHON_CLIENT = new URL("./autonomy_client.py", import.meta.url).pathname;

/** A client-visible failure. */
interface ClientError {
  /** Milliseconds since the epoch. */
  time: number;
  where: string;
  /** HTTP status, 0 for a connection failure. */
  status: number;
  /** The Retry-After header ("" when absent); null where headers are not exposed (client-node watch). */
  retryAfter: string | null;
  detail: string;
}

/** Every failure the clients saw, and when the agent was deliberately stopped. */
class ErrorLog {
  readonly errors: ClientError[] = [];
  readonly agentDown: [number, number][] = [];

  add(where: string, error: unknown): void {
    const e = error as {
      code?: number;
      statusCode?: number;
      headers?: Record<string, string>;
      message?: string;
    };
    const status = e.code ?? e.statusCode ?? 0;
    const retryAfter = e.headers ? e.headers["retry-after"] ?? "" : e.statusCode ? null : "";
    this.errors.push({
      time: Date.now(),
      where,
      status: typeof status === "number" ? status : 0,
      retryAfter,
      detail: String(e.message ?? error).slice(0, 300),
    });
  }

  /** Errors other than 503 + Retry-After and connection failures while the agent was down. */
  unexpected(): ClientError[] {
    const slackMs = 1000;
    return this.errors.filter((e) => {
      if (e.status === 503 && e.retryAfter !== "") return false;
      const down = this.agentDown.some(([from, to]) => e.time >= from && e.time <= to + slackMs);
      return !(e.status === 0 && down);
    });
  }
}

/** client-node's KubeConfig for holdfast's plain-HTTP listener, sending kubelet's User-Agent. */
class KubeletConfig extends k8s.KubeConfig {
  constructor(readonly server: string) {
    super();
    this.loadFromOptions({
      clusters: [{ name: "holdfast", server, skipTLSVerify: true }],
      users: [{ name: "kubelet" }],
      contexts: [{ name: "holdfast", cluster: "holdfast", user: "kubelet" }],
      currentContext: "holdfast",
    });
  }

  /** Used for watches, which take their headers from here only. */
  override async applySecurityAuthentication(context: k8s.RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setHeaderParam("User-Agent", KUBELET);
  }

  /** An API client sending kubelet's User-Agent. */
  api<T>(type: new (configuration: k8s.Configuration) => T): T {
    return new type(k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(this.server, {}),
      authMethods: { default: this },
      middleware: [k8s.setHeaderMiddleware("User-Agent", KUBELET)],
    }));
  }
}

/** A client-node informer that restarts after an error, as its users must do. */
class Informer<T extends k8s.KubernetesObject> {
  readonly #informer: k8s.ListWatch<T>;
  #stopped = false;
  #retry?: ReturnType<typeof setTimeout>;

  constructor(
    config: KubeletConfig,
    readonly name: string,
    path: string,
    list: () => Promise<k8s.KubernetesListObject<T>>,
    fieldSelector: string,
    errors: ErrorLog,
  ) {
    this.#informer = new k8s.ListWatch<T>(
      path,
      new k8s.Watch(config),
      list,
      false,
      undefined,
      fieldSelector,
    );
    this.#informer.on("error", (error) => {
      errors.add(name, error);
      if (this.#stopped) return;
      this.#retry = setTimeout(() => this.#informer.start(), 200);
    });
  }

  /** Lists, then returns once the watch is established. */
  start(): Promise<void> {
    return this.#informer.start();
  }

  names(): string[] {
    return this.#informer.list().map((o) => o.metadata!.name!).sort();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#informer.get(name, namespace);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    await this.#informer.stop();
  }
}

/** The Python client (tests/autonomy_client.py) as a child process taking JSON-line commands. */
class PythonClient implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: ReadableStreamDefaultReader<string>;
  #buffer = "";

  constructor(kubeconfig: string) {
    this.#child = new Deno.Command("/usr/bin/python3", {
      args: [PYTHON_CLIENT, kubeconfig, KUBELET, NODE],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = this.#child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  }

  // deno-lint-ignore no-explicit-any
  async send(op: string, args: Record<string, unknown> = {}): Promise<any> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify({ op, ...args }) + "\n"));
    while (!this.#buffer.includes("\n")) {
      const { done, value } = await this.#lines.read();
      if (done) throw new Error("the Python client exited");
      this.#buffer += value;
    }
    const end = this.#buffer.indexOf("\n");
    const line = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end + 1);
    return JSON.parse(line);
  }

  /** Runs `op`, failing the test with the client's error if it failed. */
  // deno-lint-ignore no-explicit-any
  async must(op: string, args: Record<string, unknown> = {}): Promise<any> {
    const reply = await this.send(op, args);
    if (reply.error) throw new Error(`python ${op}: ${reply.error}`);
    return reply;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#writer.write(new TextEncoder().encode('{"op":"quit"}\n')).catch(() => {});
    await this.#writer.close().catch(() => {});
    await this.#lines.cancel();
    await this.#child.status;
  }
}

/**
 * kubelet's lease loop: GET then PUT with a new renewTime, every second, until stopped; a 409
 * (the Python client renewed in between) is retried at once, as kubelet does.
 */
function leaseLoop(config: KubeletConfig, errors: ErrorLog) {
  const leases = config.api(k8s.CoordinationV1Api);
  const target = { name: NODE, namespace: "kube-node-lease" };
  let renewals = 0;
  let stopped = false;
  let wake = () => {};
  const renew = async () => {
    for (let attempt = 0;; attempt++) {
      const lease = await leases.readNamespacedLease(target);
      lease.spec!.renewTime = new Date();
      try {
        return await leases.replaceNamespacedLease({ ...target, body: lease });
      } catch (error) {
        if ((error as { code?: number }).code !== 409 || attempt === 4) throw error;
      }
    }
  };
  const done = (async () => {
    while (!stopped) {
      try {
        await renew();
        renewals++;
      } catch (error) {
        errors.add("lease", error);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        wake = () => (clearTimeout(timer), resolve());
      });
    }
  })();
  return {
    get renewals() {
      return renewals;
    },
    async stop() {
      stopped = true;
      wake();
      await done;
    },
  };
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function mode(stack: Stack): Promise<string> {
  return (await (await fetch(`${stack.adminUrl}/v1/status`)).json()).mode;
}

/** Waits until the agent holds servable kubelet listings of `resources`. */
async function cached(stack: Stack, ...resources: string[]) {
  await waitFor(`cached ${resources}`, async () => {
    const ls = await (await fetch(`${stack.adminUrl}/v1/cache/ls`)).json();
    const servable = new Set(
      (ls.queries as { component: string; resource: string; complete: boolean; stale: boolean }[])
        .filter((q) => q.component === "kubelet" && q.complete && !q.stale)
        .map((q) => q.resource.split(".")[0]),
    );
    return resources.every((r) => servable.has(r));
  });
}

/** The node's pods in the simulator, by name. */
function podsOnNode(stack: Stack): { name: string; namespace: string }[] {
  return stack.sim.objects.list("pods")
    .filter((p) => (p.spec as { nodeName?: string }).nodeName === NODE)
    .map((p) => p.metadata as { name: string; namespace: string })
    .sort((a, b) => a.name < b.name ? -1 : 1);
}

const onNode = (stack: Stack) => podsOnNode(stack).map((p) => p.name);

/** Names of the services kubelet watches (`spec.clusterIP!=None`). */
const servicesWithIp = (stack: Stack) =>
  stack.sim.objects.list("services")
    .filter((s) => (s.spec as { clusterIP?: string }).clusterIP !== "None")
    .map((s) => (s.metadata as { name: string }).name)
    .sort();

function podOnNode(name: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { nodeName: NODE, containers: [{ name: "c", image: "busybox" }] },
  };
}

function event(name: string): k8s.CoreV1Event {
  return {
    metadata: { name, namespace: "default" },
    involvedObject: { kind: "Node", name: NODE },
    reason: "NodeNotReady",
    message: "created through holdfast",
    type: "Normal",
  };
}

test("autonomy: client-node informers and the Python client through cut, offline restart and reconnect", async () => {
  await using stack = await startStack({ sim: { scale: { pods: 30, nodes: 3 } } });
  const errors = new ErrorLog();
  const config = new KubeletConfig(stack.proxyUrl);
  const core = config.api(k8s.CoreV1Api);
  const strategic = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch);
  const informer = {
    pods: new Informer<k8s.V1Pod>(
      config,
      "pods informer",
      "/api/v1/pods",
      () => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${NODE}` }),
      `spec.nodeName=${NODE}`,
      errors,
    ),
    node: new Informer<k8s.V1Node>(
      config,
      "node informer",
      "/api/v1/nodes",
      () => core.listNode({ fieldSelector: `metadata.name=${NODE}` }),
      `metadata.name=${NODE}`,
      errors,
    ),
    services: new Informer<k8s.V1Service>(
      config,
      "services informer",
      "/api/v1/services",
      () => core.listServiceForAllNamespaces({ fieldSelector: "spec.clusterIP!=None" }),
      "spec.clusterIP!=None",
      errors,
    ),
  };
  const informers = Object.values(informer);
  await using python = new PythonClient(stack.kubeconfig);
  const lease = leaseLoop(config, errors);
  const [first, second] = podsOnNode(stack);
  const podRef = { namespace: first.namespace, name: first.name };
  try {
    // Online: everything syncs and fills the cache.
    await Promise.all(informers.map((i) => i.start()));
    assert.deepEqual(informer.pods.names(), onNode(stack));
    assert.deepEqual(informer.node.names(), [NODE]);
    assert.deepEqual(informer.services.names(), servicesWithIp(stack));
    await core.readNamespacedPod(podRef);
    await core.readNode({ name: NODE });
    assert.deepEqual((await python.must("pods")).pods, onNode(stack));
    await python.must("get", podRef);
    await python.must("lease");
    await cached(stack, "pods", "nodes", "services");

    // The link goes down.
    await stack.sim.faults.linkDown();
    await waitFor("offline mode", async () => (await mode(stack)) === "offline");
    await offlineChecks("offline");

    // Upstream changes the agent cannot see.
    stack.sim.objects.create("pods", podOnNode("added-while-offline"));
    stack.sim.objects.patch("pods", first.name, { metadata: { labels: { changed: "offline" } } }, {
      namespace: first.namespace,
    });
    stack.sim.objects.delete("pods", second.name, second.namespace);
    const label = { metadata: { labels: { changed: "offline" } } };
    stack.sim.objects.patch("nodes", NODE, label);
    stack.sim.objects.patch("services", "kube-dns", label, { namespace: "kube-system" });

    // The agent is killed and restarted while the link is still down.
    const stopping = Date.now();
    await stack.stopAgent();
    await stack.restartAgent();
    errors.agentDown.push([stopping, Date.now()]);
    await waitFor("offline mode after restart", async () => (await mode(stack)) === "offline");
    await offlineChecks("restarted");

    // The link comes back: the informers see what changed meanwhile, queued events arrive.
    await stack.sim.faults.linkUp();
    await waitFor("online mode", async () => (await mode(stack)) === "online");
    const now = onNode(stack);
    const changed = (o?: k8s.KubernetesObject) => o?.metadata?.labels?.changed === "offline";
    await waitFor(
      "informers see upstream changes",
      () =>
        JSON.stringify(informer.pods.names()) === JSON.stringify(now) &&
        changed(informer.pods.get(first.name, first.namespace)) &&
        changed(informer.node.get(NODE)) &&
        changed(informer.services.get("kube-dns", "kube-system")),
    );
    await waitFor(
      "the Python reflector sees upstream changes",
      async () => JSON.stringify((await python.must("informed")).pods) === JSON.stringify(now),
    );
    assert.deepEqual((await python.must("pods")).pods, now);
    for (const name of ["cn-offline", "py-offline", "cn-restarted", "py-restarted"]) {
      await waitFor(
        `event ${name} delivered`,
        () => stack.sim.objects.get("events", name, "default") !== undefined,
      );
    }
    const renewed = lease.renewals;
    await waitFor("a lease renewal online", () => lease.renewals > renewed);
  } finally {
    await lease.stop();
    await Promise.all(informers.map((i) => i.stop()));
  }
  errors.errors.push(
    ...(await python.must("errors")).errors.map((e: ClientError) => ({
      ...e,
      where: `python ${e.where}`,
    })),
  );
  assert.deepEqual(errors.unexpected(), []);

  /** What must work while offline, with both clients. */
  async function offlineChecks(phase: string) {
    const expected = informer.pods.names();
    const listed = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${NODE}` });
    assert.deepEqual(listed.items.map((p) => p.metadata!.name).sort(), expected);
    assert.equal((await core.readNamespacedPod(podRef)).metadata?.name, podRef.name);
    assert.equal((await core.readNode({ name: NODE })).metadata?.name, NODE);
    assert.deepEqual((await python.must("pods")).pods, expected);
    await python.must("get", podRef);

    const fresh = new Informer<k8s.V1Pod>(
      config,
      `fresh informer (${phase})`,
      "/api/v1/pods",
      () => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${NODE}` }),
      `spec.nodeName=${NODE}`,
      errors,
    );
    try {
      await fresh.start();
      assert.deepEqual(fresh.names(), expected);
    } finally {
      await fresh.stop();
    }
    assert.equal((await python.must("sync")).synced, expected.length);

    const renewed = lease.renewals;
    await waitFor(`two lease renewals (${phase})`, () => lease.renewals >= renewed + 2);
    await python.must("lease");
    const node = await core.patchNodeStatus({
      name: NODE,
      body: { status: { conditions: [{ type: "Ready", status: "True", reason: phase }] } },
    }, strategic);
    assert.equal(node.status?.conditions?.find((c) => c.type === "Ready")?.reason, phase);
    await core.patchNamespacedPodStatus(
      { ...podRef, body: { status: { message: `patched ${phase}` } } },
      strategic,
    );
    await python.must("status", podRef);
    await core.createNamespacedEvent({ namespace: "default", body: event(`cn-${phase}`) });
    await python.must("event", { name: `py-${phase}` });
  }
});

Deno.test("autonomy: a client-go watch-list request completes its initial sync offline through the agent", async () => {
  await using stack = await startStack({ sim: { scale: { pods: 30, nodes: 3 } } });
  const path = `/api/v1/pods?fieldSelector=spec.nodeName%3D${NODE}`;
  const headers = { "user-agent": KUBELET };
  const listed = await (await fetch(stack.proxyUrl + path, { headers })).json();
  await cached(stack, "pods");
  await stack.sim.faults.linkDown();
  await waitFor("offline mode", async () => (await mode(stack)) === "offline");

  const response = await fetch(
    `${stack.proxyUrl}${path}&watch=true&sendInitialEvents=true` +
      "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=400",
    { headers },
  );
  assert.equal(response.status, 200);
  const events = await readEvents(response, listed.items.length + 1);
  assert.deepEqual(events.map((e) => e.type), [...listed.items.map(() => "ADDED"), "BOOKMARK"]);
  assert.deepEqual(
    events.slice(0, -1).map((e) => (e.object.metadata as { name: string }).name).sort(),
    listed.items.map((p: { metadata: { name: string } }) => p.metadata.name).sort(),
  );
  const end = events.at(-1)!.object.metadata as { annotations?: Record<string, string> };
  assert.equal(end.annotations?.["k8s.io/initial-events-end"], "true");
});

/** Reads `response` to its end; resolves "clean" on EOF, or the error's message. */
async function ending(response: Response): Promise<string> {
  try {
    for await (const _ of response.body!);
    return "clean";
  } catch (error) {
    return String(error);
  }
}

Deno.test("autonomy: a watch cut by the link ends cleanly and its listing stays servable", async () => {
  await using stack = await startStack({ sim: { scale: { pods: 30, nodes: 3 } } });
  const path = `/api/v1/pods?fieldSelector=spec.nodeName%3D${NODE}`;
  const headers = { "user-agent": KUBELET };
  const listed = await (await fetch(stack.proxyUrl + path, { headers })).json();
  const rv = listed.metadata.resourceVersion;
  const watch = await fetch(`${stack.proxyUrl}${path}&watch=true&resourceVersion=${rv}`, {
    headers,
  });
  await cached(stack, "pods");
  await waitFor("the upstream watch", () => stack.sim.watchCount === 1);
  await stack.sim.faults.linkDown();
  assert.equal(await ending(watch), "clean");

  await waitFor("offline mode", async () => (await mode(stack)) === "offline");
  const offline = await fetch(stack.proxyUrl + path, { headers });
  assert.equal(offline.status, 200);
  assert.equal((await offline.json()).items.length, listed.items.length);
});

/** Whether `promise` settles within `ms` (a hang check, not a timing measurement). */
async function settlesWithin(ms: number, promise: Promise<unknown>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => timer = setTimeout(resolve, ms, false));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("autonomy: stopping the agent ends open watches cleanly, online and offline", async () => {
  await using stack = await startStack({ sim: { scale: { pods: 30, nodes: 3 } } });
  const headers = { "user-agent": KUBELET };
  const path = "/api/v1/namespaces/kube-system/pods";
  const rv = (await (await fetch(stack.proxyUrl + path, { headers })).json()).metadata
    .resourceVersion;
  await cached(stack, "pods");
  const watch = () =>
    fetch(`${stack.proxyUrl}${path}?watch=true&timeoutSeconds=300&resourceVersion=${rv}`, {
      headers,
    });

  const online = ending(await watch());
  assert.ok(await settlesWithin(20_000, stack.stopAgent()), "shutdown waited for a watch");
  assert.equal(await online, "clean");
  await stack.restartAgent();

  await stack.sim.faults.linkDown();
  await waitFor("offline mode", async () => (await mode(stack)) === "offline");
  const offline = ending(await watch());
  assert.ok(await settlesWithin(20_000, stack.stopAgent()), "shutdown waited for a watch");
  assert.equal(await offline, "clean");
  await stack.restartAgent();
});
