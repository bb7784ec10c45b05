"""Drives the simulator with Debian's python3-kubernetes client.

Usage: python_client.py KUBECONFIG RESOURCE_VERSION EVENTS
Prints one JSON object: pod names from a label-selected list and a field-selected list, and the
(type, name) of the first EVENTS watch events on ns-0 configmaps after RESOURCE_VERSION.
"""
import json
import sys

from kubernetes import client, config, watch


def main():
    kubeconfig, resource_version, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    config.load_kube_config(kubeconfig)
    core = client.CoreV1Api()
    by_label = core.list_pod_for_all_namespaces(label_selector="tier in (cache),env!=staging")
    by_field = core.list_pod_for_all_namespaces(
        field_selector="spec.nodeName=node-1,status.phase=Running")
    events = []
    stream = watch.Watch()
    for event in stream.stream(core.list_namespaced_config_map, namespace="ns-0",
                               resource_version=resource_version, timeout_seconds=10):
        events.append([event["type"], event["object"].metadata.name])
        if len(events) >= count:
            stream.stop()
    print(json.dumps({
        "byLabel": sorted(p.metadata.name for p in by_label.items),
        "byField": sorted(p.metadata.name for p in by_field.items),
        "listVersion": by_label.metadata.resource_version,
        "events": events,
    }))


main()
