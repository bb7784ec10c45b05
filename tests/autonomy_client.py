"""Drives holdfast with Debian's python3-kubernetes client, as a kubelet would, for autonomy_test.ts.

Usage: autonomy_client.py KUBECONFIG USER_AGENT NODE

A background reflector lists and watches the node's pods (spec.nodeName=NODE) for the whole run,
re-watching from its last resourceVersion and re-listing after a 410, as client-go does. Commands
come as JSON lines on stdin; each gets one JSON line on stdout:

  {"op": "pods"}                  pod names listed now (field selector spec.nodeName=NODE)
  {"op": "informed"}              pod names the background reflector holds
  {"op": "get", "namespace": ns, "name": n}   the pod's and the node's names
  {"op": "lease"}                 GET + PUT of kube-node-lease/NODE with renewTime now (again
                                  after a 409, as kubelet does)
  {"op": "status", "namespace": ns, "name": n}  strategic-merge patches of node and pod status
  {"op": "event", "name": n}      creates an event in "default"
  {"op": "sync"}                  a fresh reflector: LIST, then a 1 s WATCH from its version
  {"op": "errors"}                every error so far: time (ms), status, retryAfter, detail
  {"op": "quit"}

A failed command answers {"error": ...}; every failure is also kept for "errors".
"""
import datetime
import json
import sys
import threading
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException


class Errors:
    """Failures seen by any thread, with the wall-clock time they happened."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, where, error):
        entry = {"time": int(time.time() * 1000), "where": where, "status": 0,
                 "retryAfter": None, "detail": repr(error)[:300]}
        if isinstance(error, ApiException):
            entry["status"] = error.status
            entry["retryAfter"] = (error.headers or {}).get("Retry-After") or ""
        with self.lock:
            self.items.append(entry)

    def all(self):
        with self.lock:
            return list(self.items)


class Reflector(threading.Thread):
    """LIST then WATCH the node's pods forever; keeps the current names."""

    def __init__(self, core, selector, errors):
        super().__init__(daemon=True)
        self.core, self.selector, self.errors = core, selector, errors
        self.lock = threading.Lock()
        self.pods = {}
        self.stopped = False

    def names(self):
        with self.lock:
            return sorted(self.pods)

    def run(self):
        version = None
        while not self.stopped:
            try:
                if version is None:
                    listed = self.core.list_pod_for_all_namespaces(field_selector=self.selector)
                    with self.lock:
                        self.pods = {p.metadata.name: p for p in listed.items}
                    version = listed.metadata.resource_version
                stream = watch.Watch()
                for event in stream.stream(self.core.list_pod_for_all_namespaces,
                                           field_selector=self.selector,
                                           resource_version=version, timeout_seconds=5):
                    pod = event["object"]
                    with self.lock:
                        if event["type"] == "DELETED":
                            self.pods.pop(pod.metadata.name, None)
                        else:
                            self.pods[pod.metadata.name] = pod
                    version = pod.metadata.resource_version
                    if self.stopped:
                        stream.stop()
            except ApiException as error:
                if error.status == 410:
                    version = None
                else:
                    self.errors.add("reflector", error)
                    time.sleep(0.2)
            except Exception as error:  # connection failures: retried like client-go does
                self.errors.add("reflector", error)
                time.sleep(0.2)


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def main():
    kubeconfig, user_agent, node = sys.argv[1], sys.argv[2], sys.argv[3]
    configuration = client.Configuration()
    config.load_kube_config(kubeconfig, client_configuration=configuration)
    api = client.ApiClient(configuration)
    api.user_agent = user_agent
    core = client.CoreV1Api(api)
    coordination = client.CoordinationV1Api(api)
    selector = f"spec.nodeName={node}"
    errors = Errors()
    reflector = Reflector(core, selector, errors)
    reflector.start()

    def pods(_):
        listed = core.list_pod_for_all_namespaces(field_selector=selector)
        return {"pods": sorted(p.metadata.name for p in listed.items)}

    def get(command):
        pod = core.read_namespaced_pod(command["name"], command["namespace"])
        return {"pod": pod.metadata.name, "node": core.read_node(node).metadata.name}

    def lease(_):
        for attempt in range(5):  # kubelet re-reads and retries after a conflict
            current = coordination.read_namespaced_lease(node, "kube-node-lease")
            current.spec.renew_time = now()
            try:
                written = coordination.replace_namespaced_lease(node, "kube-node-lease", current)
                return {"resourceVersion": written.metadata.resource_version}
            except ApiException as error:
                if error.status != 409 or attempt == 4:
                    raise

    def status(command):
        condition = {"type": "Ready", "status": "True", "reason": "PythonClient",
                     "lastHeartbeatTime": now().isoformat()}
        core.patch_node_status(node, {"status": {"conditions": [condition]}})
        core.patch_namespaced_pod_status(command["name"], command["namespace"],
                                         {"status": {"message": "patched offline"}})
        return {"patched": True}

    def event(command):
        body = client.CoreV1Event(
            metadata=client.V1ObjectMeta(name=command["name"], namespace="default"),
            involved_object=client.V1ObjectReference(kind="Node", name=node),
            reason="PythonClient", message="created through holdfast", type="Normal",
            first_timestamp=now(), count=1)
        created = core.create_namespaced_event("default", body)
        return {"event": created.metadata.name}

    def sync(_):
        listed = core.list_pod_for_all_namespaces(field_selector=selector)
        stream = watch.Watch()
        for _event in stream.stream(core.list_pod_for_all_namespaces, field_selector=selector,
                                    resource_version=listed.metadata.resource_version,
                                    timeout_seconds=1):
            pass
        return {"synced": len(listed.items)}

    commands = {
        "pods": pods, "get": get, "lease": lease, "status": status, "event": event, "sync": sync,
        "informed": lambda _: {"pods": reflector.names()},
        "errors": lambda _: {"errors": errors.all()},
    }
    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "quit":
            break
        try:
            reply = commands[command["op"]](command)
        except Exception as error:
            errors.add(command["op"], error)
            reply = {"error": repr(error)[:300]}
        print(json.dumps(reply), flush=True)
    reflector.stopped = True


main()
