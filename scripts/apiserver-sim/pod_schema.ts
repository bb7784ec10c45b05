/**
 * The protobuf schema of a Pod's spec and status (field numbers of k8s.io/api core/v1
 * `generated.proto`, v0.37), for the simulator to serve pods in protobuf from their JSON. It
 * names what node agents' pods carry: containers, init and ephemeral containers (probes,
 * lifecycle hooks, env, resources, mounts, security context), the common volume sources
 * (hostPath, emptyDir, secret, persistentVolumeClaim, downwardAPI, configMap, projected, csi),
 * scheduling (node selector, affinity, tolerations, topology spread, priority), DNS and host
 * settings, and the status with its conditions, IPs and container statuses. Left out (and so not
 * served in protobuf): the cloud and legacy volume sources, resource claims and their statuses,
 * PodSpec overhead and the fields newer than v1.35 (hostnameOverride, scheduling groups), the
 * status's resize, volume health and allocated-resource statuses. A test reads the
 * k8s-api-testdata Pod, whose fuzzed values name their field (`<name>Value`, numbers their field
 * number), with this schema and compares it with the fixture's JSON: that checks every number.
 * @module
 */
import { type Field, field, map, type MessageSchema, repeated } from "./protobuf_schema.ts";

const inline = (type: MessageSchema): Field => ({ name: "", type, inline: true });

const LOCAL_OBJECT_REFERENCE: MessageSchema = { 1: field("name") };
const OBJECT_FIELD_SELECTOR: MessageSchema = { 1: field("apiVersion"), 2: field("fieldPath") };
const RESOURCE_FIELD_SELECTOR: MessageSchema = {
  1: field("containerName"),
  2: field("resource"),
  3: field("divisor", "quantity"),
};
const KEY_TO_PATH: MessageSchema = { 1: field("key"), 2: field("path"), 3: field("mode", "int32") };
const KEY_SELECTOR: MessageSchema = {
  1: inline(LOCAL_OBJECT_REFERENCE),
  2: field("key"),
  3: field("optional", "bool"),
};
const ENV_SOURCE_REFERENCE: MessageSchema = {
  1: inline(LOCAL_OBJECT_REFERENCE),
  2: field("optional", "bool"),
};

const RESOURCES: MessageSchema = {
  1: map("limits", "quantity"),
  2: map("requests", "quantity"),
  3: repeated("claims", { 1: field("name"), 2: field("request") }),
};

const EXEC: MessageSchema = { 1: repeated("command") };
const HTTP_GET: MessageSchema = {
  1: field("path"),
  2: field("port", "intOrString"),
  3: field("host"),
  4: field("scheme"),
  5: repeated("httpHeaders", { 1: field("name"), 2: field("value") }),
};
const TCP_SOCKET: MessageSchema = { 1: field("port", "intOrString"), 2: field("host") };

const PROBE: MessageSchema = {
  1: inline({
    1: field("exec", EXEC),
    2: field("httpGet", HTTP_GET),
    3: field("tcpSocket", TCP_SOCKET),
    4: field("grpc", { 1: field("port", "int32"), 2: field("service") }),
  }),
  2: field("initialDelaySeconds", "int32"),
  3: field("timeoutSeconds", "int32"),
  4: field("periodSeconds", "int32"),
  5: field("successThreshold", "int32"),
  6: field("failureThreshold", "int32"),
  7: field("terminationGracePeriodSeconds", "int64"),
};

const LIFECYCLE_HANDLER: MessageSchema = {
  1: field("exec", EXEC),
  2: field("httpGet", HTTP_GET),
  3: field("tcpSocket", TCP_SOCKET),
  4: field("sleep", { 1: field("seconds", "int64") }),
};

const SE_LINUX_OPTIONS: MessageSchema = {
  1: field("user"),
  2: field("role"),
  3: field("type"),
  4: field("level"),
};
const WINDOWS_OPTIONS: MessageSchema = {
  1: field("gmsaCredentialSpecName"),
  2: field("gmsaCredentialSpec"),
  3: field("runAsUserName"),
  4: field("hostProcess", "bool"),
};
const PROFILE: MessageSchema = { 1: field("type"), 2: field("localhostProfile") };

const SECURITY_CONTEXT: MessageSchema = {
  1: field("capabilities", { 1: repeated("add"), 2: repeated("drop") }),
  2: field("privileged", "bool"),
  3: field("seLinuxOptions", SE_LINUX_OPTIONS),
  4: field("runAsUser", "int64"),
  5: field("runAsNonRoot", "bool"),
  6: field("readOnlyRootFilesystem", "bool"),
  7: field("allowPrivilegeEscalation", "bool"),
  8: field("runAsGroup", "int64"),
  9: field("procMount"),
  10: field("windowsOptions", WINDOWS_OPTIONS),
  11: field("seccompProfile", PROFILE),
  12: field("appArmorProfile", PROFILE),
};

const POD_SECURITY_CONTEXT: MessageSchema = {
  1: field("seLinuxOptions", SE_LINUX_OPTIONS),
  2: field("runAsUser", "int64"),
  3: field("runAsNonRoot", "bool"),
  4: repeated("supplementalGroups", "int64"),
  5: field("fsGroup", "int64"),
  6: field("runAsGroup", "int64"),
  7: repeated("sysctls", { 1: field("name"), 2: field("value") }),
  8: field("windowsOptions", WINDOWS_OPTIONS),
  9: field("fsGroupChangePolicy"),
  10: field("seccompProfile", PROFILE),
  11: field("appArmorProfile", PROFILE),
  12: field("supplementalGroupsPolicy"),
  13: field("seLinuxChangePolicy"),
};

const CONTAINER: MessageSchema = {
  1: field("name"),
  2: field("image"),
  3: repeated("command"),
  4: repeated("args"),
  5: field("workingDir"),
  6: repeated("ports", {
    1: field("name"),
    2: field("hostPort", "int32"),
    3: field("containerPort", "int32"),
    4: field("protocol"),
    5: field("hostIP"),
  }),
  7: repeated("env", {
    1: field("name"),
    2: field("value"),
    3: field("valueFrom", {
      1: field("fieldRef", OBJECT_FIELD_SELECTOR),
      2: field("resourceFieldRef", RESOURCE_FIELD_SELECTOR),
      3: field("configMapKeyRef", KEY_SELECTOR),
      4: field("secretKeyRef", KEY_SELECTOR),
    }),
  }),
  8: field("resources", RESOURCES),
  9: repeated("volumeMounts", {
    1: field("name"),
    2: field("readOnly", "bool"),
    3: field("mountPath"),
    4: field("subPath"),
    5: field("mountPropagation"),
    6: field("subPathExpr"),
    7: field("recursiveReadOnly"),
  }),
  10: field("livenessProbe", PROBE),
  11: field("readinessProbe", PROBE),
  12: field("lifecycle", {
    1: field("postStart", LIFECYCLE_HANDLER),
    2: field("preStop", LIFECYCLE_HANDLER),
    3: field("stopSignal"),
  }),
  13: field("terminationMessagePath"),
  14: field("imagePullPolicy"),
  15: field("securityContext", SECURITY_CONTEXT),
  16: field("stdin", "bool"),
  17: field("stdinOnce", "bool"),
  18: field("tty", "bool"),
  19: repeated("envFrom", {
    1: field("prefix"),
    2: field("configMapRef", ENV_SOURCE_REFERENCE),
    3: field("secretRef", ENV_SOURCE_REFERENCE),
  }),
  20: field("terminationMessagePolicy"),
  21: repeated("volumeDevices", { 1: field("name"), 2: field("devicePath") }),
  22: field("startupProbe", PROBE),
  23: repeated("resizePolicy", { 1: field("resourceName"), 2: field("restartPolicy") }),
  24: field("restartPolicy"),
};

const DOWNWARD_API_FILE: MessageSchema = {
  1: field("path"),
  2: field("fieldRef", OBJECT_FIELD_SELECTOR),
  3: field("resourceFieldRef", RESOURCE_FIELD_SELECTOR),
  4: field("mode", "int32"),
};

const VOLUME_SOURCE: MessageSchema = {
  1: field("hostPath", { 1: field("path"), 2: field("type") }),
  2: field("emptyDir", { 1: field("medium"), 2: field("sizeLimit", "quantity") }),
  6: field("secret", {
    1: field("secretName"),
    2: repeated("items", KEY_TO_PATH),
    3: field("defaultMode", "int32"),
    4: field("optional", "bool"),
  }),
  10: field("persistentVolumeClaim", { 1: field("claimName"), 2: field("readOnly", "bool") }),
  16: field("downwardAPI", {
    1: repeated("items", DOWNWARD_API_FILE),
    2: field("defaultMode", "int32"),
  }),
  19: field("configMap", {
    1: inline(LOCAL_OBJECT_REFERENCE),
    2: repeated("items", KEY_TO_PATH),
    3: field("defaultMode", "int32"),
    4: field("optional", "bool"),
  }),
  26: field("projected", {
    1: repeated("sources", {
      1: field("secret", {
        1: inline(LOCAL_OBJECT_REFERENCE),
        2: repeated("items", KEY_TO_PATH),
        4: field("optional", "bool"),
      }),
      2: field("downwardAPI", { 1: repeated("items", DOWNWARD_API_FILE) }),
      3: field("configMap", {
        1: inline(LOCAL_OBJECT_REFERENCE),
        2: repeated("items", KEY_TO_PATH),
        4: field("optional", "bool"),
      }),
      4: field("serviceAccountToken", {
        1: field("audience"),
        2: field("expirationSeconds", "int64"),
        3: field("path"),
      }),
    }),
    2: field("defaultMode", "int32"),
  }),
  28: field("csi", {
    1: field("driver"),
    2: field("readOnly", "bool"),
    3: field("fsType"),
    4: map("volumeAttributes"),
    5: field("nodePublishSecretRef", LOCAL_OBJECT_REFERENCE),
  }),
};

const REQUIREMENT: MessageSchema = { 1: field("key"), 2: field("operator"), 3: repeated("values") };
const LABEL_SELECTOR: MessageSchema = {
  1: map("matchLabels"),
  2: repeated("matchExpressions", REQUIREMENT),
};
const NODE_SELECTOR_TERM: MessageSchema = {
  1: repeated("matchExpressions", REQUIREMENT),
  2: repeated("matchFields", REQUIREMENT),
};
const POD_AFFINITY_TERM: MessageSchema = {
  1: field("labelSelector", LABEL_SELECTOR),
  2: repeated("namespaces"),
  3: field("topologyKey"),
  4: field("namespaceSelector", LABEL_SELECTOR),
  5: repeated("matchLabelKeys"),
  6: repeated("mismatchLabelKeys"),
};
const POD_AFFINITY: MessageSchema = {
  1: repeated("requiredDuringSchedulingIgnoredDuringExecution", POD_AFFINITY_TERM),
  2: repeated("preferredDuringSchedulingIgnoredDuringExecution", {
    1: field("weight", "int32"),
    2: field("podAffinityTerm", POD_AFFINITY_TERM),
  }),
};
const AFFINITY: MessageSchema = {
  1: field("nodeAffinity", {
    1: field("requiredDuringSchedulingIgnoredDuringExecution", {
      1: repeated("nodeSelectorTerms", NODE_SELECTOR_TERM),
    }),
    2: repeated("preferredDuringSchedulingIgnoredDuringExecution", {
      1: field("weight", "int32"),
      2: field("preference", NODE_SELECTOR_TERM),
    }),
  }),
  2: field("podAffinity", POD_AFFINITY),
  3: field("podAntiAffinity", POD_AFFINITY),
};

const POD_SPEC: MessageSchema = {
  1: repeated("volumes", { 1: field("name"), 2: inline(VOLUME_SOURCE) }),
  2: repeated("containers", CONTAINER),
  3: field("restartPolicy"),
  4: field("terminationGracePeriodSeconds", "int64"),
  5: field("activeDeadlineSeconds", "int64"),
  6: field("dnsPolicy"),
  7: map("nodeSelector"),
  8: field("serviceAccountName"),
  9: field("serviceAccount"),
  10: field("nodeName"),
  11: field("hostNetwork", "bool"),
  12: field("hostPID", "bool"),
  13: field("hostIPC", "bool"),
  14: field("securityContext", POD_SECURITY_CONTEXT),
  15: repeated("imagePullSecrets", LOCAL_OBJECT_REFERENCE),
  16: field("hostname"),
  17: field("subdomain"),
  18: field("affinity", AFFINITY),
  19: field("schedulerName"),
  20: repeated("initContainers", CONTAINER),
  21: field("automountServiceAccountToken", "bool"),
  22: repeated("tolerations", {
    1: field("key"),
    2: field("operator"),
    3: field("value"),
    4: field("effect"),
    5: field("tolerationSeconds", "int64"),
  }),
  23: repeated("hostAliases", { 1: field("ip"), 2: repeated("hostnames") }),
  24: field("priorityClassName"),
  25: field("priority", "int32"),
  26: field("dnsConfig", {
    1: repeated("nameservers"),
    2: repeated("searches"),
    3: repeated("options", { 1: field("name"), 2: field("value") }),
  }),
  27: field("shareProcessNamespace", "bool"),
  28: repeated("readinessGates", { 1: field("conditionType") }),
  29: field("runtimeClassName"),
  30: field("enableServiceLinks", "bool"),
  31: field("preemptionPolicy"),
  33: repeated("topologySpreadConstraints", {
    1: field("maxSkew", "int32"),
    2: field("topologyKey"),
    3: field("whenUnsatisfiable"),
    4: field("labelSelector", LABEL_SELECTOR),
    5: field("minDomains", "int32"),
    6: field("nodeAffinityPolicy"),
    7: field("nodeTaintsPolicy"),
    8: repeated("matchLabelKeys"),
  }),
  34: repeated("ephemeralContainers", {
    1: inline(CONTAINER),
    2: field("targetContainerName"),
  }),
  35: field("setHostnameAsFQDN", "bool"),
  36: field("os", { 1: field("name") }),
  37: field("hostUsers", "bool"),
  38: repeated("schedulingGates", { 1: field("name") }),
  40: field("resources", RESOURCES),
};

const CONTAINER_STATE: MessageSchema = {
  1: field("waiting", { 1: field("reason"), 2: field("message") }),
  2: field("running", { 1: field("startedAt", "time") }),
  3: field("terminated", {
    1: field("exitCode", "int32"),
    2: field("signal", "int32"),
    3: field("reason"),
    4: field("message"),
    5: field("startedAt", "time"),
    6: field("finishedAt", "time"),
    7: field("containerID"),
  }),
};

const CONTAINER_STATUS: MessageSchema = {
  1: field("name"),
  2: field("state", CONTAINER_STATE),
  3: field("lastState", CONTAINER_STATE),
  4: field("ready", "bool"),
  5: field("restartCount", "int32"),
  6: field("image"),
  7: field("imageID"),
  8: field("containerID"),
  9: field("started", "bool"),
  10: map("allocatedResources", "quantity"),
  11: field("resources", RESOURCES),
  12: repeated("volumeMounts", {
    1: field("name"),
    2: field("mountPath"),
    3: field("readOnly", "bool"),
    4: field("recursiveReadOnly"),
  }),
  13: field("user", {
    1: field("linux", {
      1: field("uid", "int64"),
      2: field("gid", "int64"),
      3: repeated("supplementalGroups", "int64"),
    }),
  }),
  15: field("stopSignal"),
};

const POD_STATUS: MessageSchema = {
  1: field("phase"),
  2: repeated("conditions", {
    1: field("type"),
    2: field("status"),
    3: field("lastProbeTime", "time"),
    4: field("lastTransitionTime", "time"),
    5: field("reason"),
    6: field("message"),
    7: field("observedGeneration", "int64"),
  }),
  3: field("message"),
  4: field("reason"),
  5: field("hostIP"),
  6: field("podIP"),
  7: field("startTime", "time"),
  8: repeated("containerStatuses", CONTAINER_STATUS),
  9: field("qosClass"),
  10: repeated("initContainerStatuses", CONTAINER_STATUS),
  11: field("nominatedNodeName"),
  12: repeated("podIPs", { 1: field("ip") }),
  13: repeated("ephemeralContainerStatuses", CONTAINER_STATUS),
  16: repeated("hostIPs", { 1: field("ip") }),
  17: field("observedGeneration", "int64"),
  19: map("allocatedResources", "quantity"),
  20: field("resources", RESOURCES),
};

/** A Pod's body after its metadata: spec 2, status 3. */
export const POD_BODY: MessageSchema = {
  2: field("spec", POD_SPEC),
  3: field("status", POD_STATUS),
};
