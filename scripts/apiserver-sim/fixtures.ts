/**
 * Reads the real Kubernetes data in `shared/fixtures/captured/` that seeds the simulator: the
 * captured PodList, the minikube Node, the CRD and custom resources, the coredns Deployment and
 * the discovery documents. Each file is read once per process.
 * @module
 */

/** A JSON object as decoded from the wire. */
export type Json = Record<string, unknown>;

/** The default fixtures folder: `shared/fixtures/captured/` beside the repository. */
export const DEFAULT_FIXTURES_DIR = new URL("../../../shared/fixtures/captured/", import.meta.url);

/** The captured objects and documents the simulator starts from. */
export interface Fixtures {
  /** The eight kube-system pods of a kind cluster (k8s-openapi PodList replay). */
  pods: Json[];
  /** The minikube Node (k9s test data). */
  node: Json;
  /** The coredns Deployment (k8s-openapi DeploymentList replay). */
  deployments: Json[];
  /** The `foobars` CustomResourceDefinition and two FooBar objects. */
  crd: Json;
  customResources: Json[];
  /** `GET /api/v1` (APIResourceList) and aggregated `/apis` (APIGroupDiscoveryList). */
  coreResources: Json;
  aggregatedGroups: Json;
}

const cache = new Map<string, Promise<Fixtures>>();

/** Loads the fixtures from `dir` (the captured folder). */
export function loadFixtures(dir: URL = DEFAULT_FIXTURES_DIR): Promise<Fixtures> {
  let fixtures = cache.get(dir.href);
  if (!fixtures) {
    fixtures = read(dir);
    cache.set(dir.href, fixtures);
    fixtures.catch(() => cache.delete(dir.href));
  }
  return fixtures;
}

interface Exchange {
  request_method: string;
  request_url: string;
  response_status_code: number;
  response_body: string;
}

async function read(dir: URL): Promise<Fixtures> {
  const file = async (name: string) => JSON.parse(await Deno.readTextFile(new URL(name, dir)));
  const replay = async (name: string): Promise<Exchange[]> => await file(name);
  const [podList, node, deployments, crdReplay, coreResources, aggregatedGroups] = await Promise
    .all([
      replay("k8s-openapi-v1.36.pod-list.replay.json"),
      file("k9s.node-minikube.json"),
      replay("k8s-openapi-v1.36.deployment-list.replay.json"),
      replay("k8s-openapi-v1.36.crd-custom-resources.replay.json"),
      file("kubernetes.discovery.api-v1.APIResourceList.json"),
      file("kubernetes.discovery.aggregated-v2.APIGroupDiscoveryList.json"),
    ]);
  const body = (exchange: Exchange): Json => JSON.parse(exchange.response_body);
  const crGets = crdReplay.filter((e) =>
    e.request_method === "GET" && /\/foobars\/[^/]+$/.test(e.request_url)
  );
  const crdGet = crdReplay.findLast((e) =>
    e.request_method === "GET" && e.request_url.includes("/customresourcedefinitions/")
  );
  if (!crdGet || crGets.length === 0) throw new Error("CRD fixture: missing GET exchanges");
  return {
    pods: body(podList[0]).items as Json[],
    node,
    deployments: body(deployments[0]).items as Json[],
    crd: body(crdGet),
    customResources: crGets.map(body),
    coreResources,
    aggregatedGroups,
  };
}
