/**
 * `startSimulator`: builds the store from the fixtures and the requested scale, starts the API
 * listener (HTTP, or HTTPS with a generated CA, client certificates and/or a bearer token) and,
 * optionally, the control API, and returns the in-process handle tests drive it with: faults,
 * object mutations, request counters and kubeconfigs.
 * @module
 */
import { queryFlag } from "../../src/kube/list_options.ts";
import { failure } from "../../src/kube/status.ts";
import { type ApiContext, handleApi, statusResponse, typeNamed } from "./api.ts";
import { type Churn, type ChurnOptions, startChurn } from "./churn.ts";
import { controlHandler } from "./control.ts";
import { jsonServingCodec } from "./encoding.ts";
import {
  type ActiveFault,
  type FaultRule,
  Faults,
  MALFORMED_BODY,
  prependMalformed,
  reasonFor,
  truncate,
} from "./faults.ts";
import { DEFAULT_FIXTURES_DIR, type Json, loadFixtures } from "./fixtures.ts";
import { kubeconfigYaml } from "./kubeconfig.ts";
import { DEFAULT_TESTDATA_DIR, loadTemplates, protobufServingCodec } from "./protobuf.ts";
import type { PatchType } from "./patch.ts";
import { type Pki, pkiFor } from "./pki.ts";
import { RequestLog } from "./requests.ts";
import { buildRegistry } from "./resources.ts";
import { DEFAULT_SCALE, type Scale, seed } from "./seed.ts";
import { type Client, DropConnection, Listener } from "./server.ts";
import { Store } from "./store.ts";
import type { OpenWatch } from "./watch.ts";
import { Writer } from "./writes.ts";

/** How to start a simulator. Every field is optional. */
export interface SimulatorOptions {
  /** API port (default 0: a free port). */
  port?: number;
  /** Listen address (default 127.0.0.1). */
  hostname?: string;
  /** Start the control API on this port (0: a free one); no control API when omitted. */
  controlPort?: number;
  /** How many objects to generate (see `seed.ts`); defaults to a small cluster. */
  scale?: Partial<Scale>;
  /** Serve HTTPS with a generated CA and ask for client certificates. */
  tls?: boolean;
  /**
   * Reject TLS handshakes without a valid client certificate. Default: true when TLS is on and
   * no token is set; with a token, either credential is accepted.
   */
  requireClientCert?: boolean;
  /** Require `Authorization: Bearer <token>` (or a client certificate); `true` makes one up. */
  token?: string | boolean;
  /** The client certificate's node name: CN `system:node:<nodeName>` (default `node-0`). */
  nodeName?: string;
  /**
   * A further CA (PEM) whose client certificates are accepted too, as kube-apiserver's
   * `--client-ca-file` may hold several: for clients that bring their own identity (YurtHub).
   */
  clientCa?: string;
  /**
   * Gzip answers for clients that accept it, as kube-apiserver's `APIResponseCompression` does
   * (default true); false serves every answer uncompressed.
   */
  compression?: boolean;
  /** Changes kept for watch resumption and continue tokens (default 50,000). */
  historySize?: number;
  /** Bookmark interval for watches that allow them (default 60,000 ms). */
  bookmarkIntervalMs?: number;
  /** Watch timeout when the client sends no timeoutSeconds (default 1800 s). */
  defaultWatchTimeoutSeconds?: number;
  /** Events queued for one slow watcher before it is ended (default 100,000). */
  maxQueuedEvents?: number;
  /** The captured fixtures folder (default `shared/fixtures/captured/`). */
  fixturesDir?: URL;
  /** The protobuf fixtures folder (default `shared/fixtures/k8s-api-testdata/`). */
  testdataDir?: URL;
}

/** Which credentials a generated kubeconfig carries (default: all the simulator has). */
export interface KubeconfigOptions {
  credentials?: "certificate" | "token" | "all" | "none";
  namespace?: string;
}

/** Injecting faults. */
export interface FaultHandle {
  /** Adds a request fault rule (delay, hang, error, malformed, truncated); returns its id. */
  add(rule: FaultRule): number;
  /** Removes one rule, or all of them; hung requests are then answered. */
  clear(id?: number): void;
  /** The active rules. */
  list(): ActiveFault[];
  /** Closes the listener and drops every connection (connections are then refused). */
  linkDown(): Promise<void>;
  /** Listens again on the same port. */
  linkUp(): Promise<void>;
  /** Aborts every open watch stream mid-flight; returns how many. */
  cutWatches(): number;
}

/** Changing objects from the test, with the API's rules (errors throw `StatusError`). */
export interface ObjectHandle {
  get(resource: string, name: string, namespace?: string): Json | undefined;
  list(resource: string, namespace?: string): Json[];
  create(resource: string, object: Json): Json;
  /** Replaces the object (optimistic concurrency when `metadata.resourceVersion` is set). */
  update(resource: string, object: Json, subresource?: "status"): Json;
  patch(
    resource: string,
    name: string,
    patch: unknown,
    options?: { namespace?: string; type?: PatchType; subresource?: "status" },
  ): Json;
  /** Deletes the object; returns its last state. */
  delete(resource: string, name: string, namespace?: string): Json;
  /** Starts bulk changes at a rate. */
  churn(options: ChurnOptions): Churn;
}

/** A running simulator. */
export interface Simulator extends AsyncDisposable {
  /** `http(s)://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The control API's URL, when started. */
  readonly controlUrl?: string;
  /** PEMs when TLS is on. */
  readonly tls?: Pki;
  /** The bearer token, when one is required. */
  readonly token?: string;
  readonly faults: FaultHandle;
  readonly objects: ObjectHandle;
  /** Requests received, by User-Agent and path. */
  readonly requests: RequestLog;
  /** The current resourceVersion. */
  readonly resourceVersion: number;
  /** How many watches are open. */
  readonly watchCount: number;
  /** Forgets the change history: older resourceVersions and continue tokens become 410. */
  compact(): void;
  /**
   * Goes back to resourceVersion `rv` (inside the history window), as an etcd restore does:
   * objects as they were then, later writes numbered from `rv + 1`, open watches cut.
   */
  restore(rv: number): void;
  /** A kubeconfig for this simulator. */
  kubeconfig(options?: KubeconfigOptions): string;
  /** Writes `kubeconfig(options)` to `path`. */
  writeKubeconfig(path: string, options?: KubeconfigOptions): Promise<void>;
  /** Stops everything. */
  close(): Promise<void>;
}

const PUBLIC_PATHS = new Set(["/healthz", "/livez", "/readyz", "/version"]);

/** Starts a simulator. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const fixtures = await loadFixtures(options.fixturesDir ?? DEFAULT_FIXTURES_DIR);
  const registry = buildRegistry(fixtures.coreResources, fixtures.aggregatedGroups, [fixtures.crd]);
  const protobuf = protobufServingCodec(
    await loadTemplates(registry, options.testdataDir ?? DEFAULT_TESTDATA_DIR),
  );
  const withProtobuf = [jsonServingCodec, protobuf];
  const jsonOnly = [jsonServingCodec];
  const store = new Store(options.historySize ?? 50_000);
  seed(store, registry, fixtures, { ...DEFAULT_SCALE, ...options.scale });
  const writer = new Writer(store, registry);
  const watches = new Set<OpenWatch>();
  const faults = new Faults();
  const requests = new RequestLog();
  const churns = new Set<Churn>();
  const hostname = options.hostname ?? "127.0.0.1";
  const token = options.token === true
    ? crypto.randomUUID().replaceAll("-", "")
    : options.token || undefined;
  const pki = options.tls ? await pkiFor(options.nodeName ?? "node-0") : undefined;
  const listener = new Listener(
    serve,
    hostname,
    options.port ?? 0,
    pki
      ? {
        cert: pki.serverCert,
        key: pki.serverKey,
        ca: options.clientCa ? [pki.caCert, options.clientCa] : pki.caCert,
        requireClientCert: options.requireClientCert ?? !token,
      }
      : undefined,
    options.compression ?? true,
  );
  const context: ApiContext = {
    store,
    registry,
    writer,
    watch: {
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      defaultTimeoutSeconds: options.defaultWatchTimeoutSeconds ?? 1800,
      maxQueuedEvents: options.maxQueuedEvents ?? 100_000,
    },
    codecs: (type) => protobuf.supports(type) ? withProtobuf : jsonOnly,
    serverAddress: () => `${hostname}:${listener.port}`,
    watches,
  };

  async function serve(request: Request, client: Client): Promise<Response> {
    const url = new URL(request.url);
    const userAgent = request.headers.get("user-agent") ?? "";
    const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1];
    const identity = client.certificateCN
      ? `cert:${client.certificateCN}`
      : bearer && bearer === token
      ? "token"
      : "";
    const record = {
      time: Date.now(),
      method: request.method,
      path: url.pathname,
      query: url.search.slice(1),
      userAgent,
      identity,
      status: 0,
    };
    requests.record(record);
    const watch = queryFlag(url.searchParams.get("watch")) || /\/watch\//.test(url.pathname);
    const subject = {
      method: request.method,
      pathAndQuery: url.pathname + url.search,
      userAgent,
      watch,
    };
    const delay = faults.take("delay", subject);
    if (delay) await sleep(delay.ms, client.signal);
    if (faults.take("hang", subject)) {
      await faults.hang(client.signal);
      if (!listener.listening || client.signal.aborted) throw new DropConnection();
    }
    const error = faults.take("error", subject);
    let response: Response;
    if (error) {
      response = statusResponse(failure(
        error.code,
        reasonFor(error.code),
        `injected fault: HTTP ${error.code}`,
        error.retryAfterSeconds ? { retryAfterSeconds: error.retryAfterSeconds } : {},
      ));
    } else if ((token || pki) && !identity && !PUBLIC_PATHS.has(url.pathname)) {
      response = statusResponse(failure(401, "Unauthorized", "Unauthorized"));
    } else response = await handleApi(context, request);
    response = corrupt(response, subject);
    stampHeaders(response, request.headers.get("audit-id"));
    record.status = response.status;
    return response;
  }

  function corrupt(
    response: Response,
    subject: { watch: boolean } & Parameters<Faults["take"]>[1],
  ) {
    if (faults.take("malformed", subject)) {
      const body = subject.watch && response.body
        ? prependMalformed(response.body)
        : (response.body?.cancel(), MALFORMED_BODY);
      return new Response(body, { status: response.status, headers: response.headers });
    }
    if (faults.take("truncated", subject) && response.body) {
      return new Response(truncate(response.body), response);
    }
    return response;
  }

  await listener.listen();
  const scheme = pki ? "https" : "http";
  const url = `${scheme}://${hostname}:${listener.port}`;

  const cutWatches = () => {
    const open = [...watches];
    for (const watch of open) watch.cut();
    return open.length;
  };
  const faultHandle: FaultHandle = {
    add: (rule) => faults.add(rule),
    clear: (id) => faults.clear(id),
    list: () => faults.list(),
    async linkDown() {
      cutWatches();
      const closing = listener.close();
      faults.release();
      await closing;
    },
    linkUp: () => listener.listen(),
    cutWatches,
  };

  const target = (resource: string, namespace?: string, subresource?: "status") => {
    const type = typeNamed(registry, resource);
    return { type, namespace: type.namespaced ? namespace ?? "default" : "", subresource };
  };
  const key = (resource: string, name: string, namespace?: string) => {
    const { type, namespace: ns } = target(resource, namespace);
    return { type, key: type.namespaced ? `${ns}/${name}` : name };
  };
  const objects: ObjectHandle = {
    get(resource, name, namespace) {
      const { type, key: k } = key(resource, name, namespace);
      return store.get(type, k)?.object;
    },
    list(resource, namespace) {
      const type = typeNamed(registry, resource);
      return store.current(type)
        .filter((e) => !namespace || e.metadata.namespace === namespace)
        .map((e) => e.object);
    },
    create(resource, object) {
      const ns = (object.metadata as Json | undefined)?.namespace as string | undefined;
      return writer.create(target(resource, ns), structuredClone(object)).object;
    },
    update(resource, object, subresource) {
      const meta = object.metadata as Json;
      return writer.update(
        target(resource, meta.namespace as string | undefined, subresource),
        meta.name as string,
        structuredClone(object),
      ).object;
    },
    patch(resource, name, patch, patchOptions = {}) {
      return writer.patch(
        target(resource, patchOptions.namespace, patchOptions.subresource),
        name,
        patchOptions.type ?? "application/merge-patch+json",
        patch,
      ).object;
    },
    delete(resource, name, namespace) {
      return writer.delete(target(resource, namespace), name).entry.object;
    },
    churn(churnOptions) {
      const churn = startChurn(
        store,
        writer,
        typeNamed(registry, churnOptions.resource),
        churnOptions,
      );
      churns.add(churn);
      churn.done.then(() => churns.delete(churn));
      return churn;
    },
  };

  const kubeconfig = (kubeconfigOptions: KubeconfigOptions = {}) => {
    const credentials = kubeconfigOptions.credentials ?? "all";
    const certs = credentials === "certificate" || credentials === "all";
    const tokens = credentials === "token" || credentials === "all";
    return kubeconfigYaml({
      server: url,
      caCert: pki?.caCert,
      clientCert: certs ? pki?.clientCert : undefined,
      clientKey: certs ? pki?.clientKey : undefined,
      token: tokens ? token : undefined,
      namespace: kubeconfigOptions.namespace,
    });
  };

  let control: Listener | undefined;
  const simulator: Simulator = {
    url,
    port: listener.port,
    tls: pki,
    token,
    faults: faultHandle,
    objects,
    requests,
    get resourceVersion() {
      return store.resourceVersion;
    },
    get watchCount() {
      return watches.size;
    },
    compact: () => store.compact(),
    restore: (rv) => {
      store.restore(rv);
      cutWatches();
    },
    kubeconfig,
    writeKubeconfig: (path, kubeconfigOptions) =>
      Deno.writeTextFile(path, kubeconfig(kubeconfigOptions)),
    async close() {
      for (const churn of churns) churn.stop();
      faults.clear();
      cutWatches();
      await Promise.all([listener.close(), control?.close()]);
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
  if (options.controlPort !== undefined) {
    control = new Listener(controlHandler(simulator), hostname, options.controlPort);
    await control.listen();
    Object.defineProperty(simulator, "controlUrl", { value: `http://${hostname}:${control.port}` });
  }
  return simulator;
}

/** The flow schema and priority level every request is classified into (fixed, made up). */
const FLOW_SCHEMA_UID = "5c0b3a4e-2f8d-4b6a-9e1c-7d2f0a8b3c41";
const PRIORITY_LEVEL_UID = "9a7e6d5c-4b3a-4f21-8e0d-1c2b3a4f5e6d";

/**
 * The headers kube-apiserver puts on every answer: `Audit-Id` (the client's own, else a new
 * UUID) and, past authentication, the API Priority and Fairness classification.
 */
function stampHeaders(response: Response, auditId: string | null): void {
  response.headers.set("audit-id", auditId ?? crypto.randomUUID());
  if (response.status === 401) return;
  response.headers.set("x-kubernetes-pf-flowschema-uid", FLOW_SCHEMA_UID);
  response.headers.set("x-kubernetes-pf-prioritylevel-uid", PRIORITY_LEVEL_UID);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
