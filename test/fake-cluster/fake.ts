// What a fake TKE cluster answers to `kubectl` and `helm`: the shims in bin/ send each call to the test's
// fake-cluster server (server.ts), which runs it here against the cluster's state. Every call that changes
// the state is appended to state.changes, so a test asserts the ordered list of changes a script made. Only
// the commands the scripts use are understood; anything else fails loudly, so a script cannot pass by accident.
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import type { ClusterState } from "./cluster.js";
import { datapathIncident, pods, reconcile, releaseValues } from "./controllers.js";

export interface FakeAnswer {
  code: number;
  stdout: string;
  stderr: string;
}

class Done {
  constructor(readonly answer: FakeAnswer) {}
}

export function answerCall(state: ClusterState, tool: string, argv: string[], cwd: string): FakeAnswer {
  // what the controllers did since the last call (nodes joined...) is the cluster's doing, not the script's
  reconcile(state);
  // the helm client's repository entries are the workstation's, not the cluster's: not a change of the cluster
  const before = JSON.stringify({ ...state, changes: undefined, calls: undefined, helmRepos: undefined });
  state.calls.push([tool, ...argv].join(" "));
  let label: string | undefined;
  const finish = (code: number, out = "", err = ""): never => {
    const after = JSON.stringify({ ...state, changes: undefined, calls: undefined, helmRepos: undefined });
    if (after !== before) state.changes.push(label ?? [tool, ...positional].join(" "));
    throw new Done({ code, stdout: out, stderr: err });
  };
  const file = (path: string) => readFileSync(isAbsolute(path) ? path : join(cwd, path), "utf8");

/** Flags anywhere in argv: value flags take the next word (or =value); the rest are positional words. */
const VALUE_FLAGS = new Set(["-n", "--namespace", "-o", "--output", "-l", "--selector", "-p", "--patch", "--type", "-f", "--filename", "--timeout", "--version", "--description", "--max", "--set", "--for", "--filter", "--context", "--kube-context"]);
const flags: Record<string, (string | true)[]> = {};
const positional: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const word = argv[i];
  const eq = word.indexOf("=");
  const name = eq > 0 && word.startsWith("-") ? word.slice(0, eq) : word;
  if (VALUE_FLAGS.has(name)) {
    const value = eq > 0 ? word.slice(eq + 1) : argv[++i];
    (flags[name] ??= []).push(value);
  } else if (word.startsWith("-")) flags[word] = [true];
  else positional.push(word);
}
const flag = (...names: string[]): string | undefined => names.map((n) => flags[n]?.[0]).find((v) => v !== undefined) as string | undefined;
const namespace = flag("-n", "--namespace") ?? "default";

function notFound(kind: string, name: string): never {
  return finish(1, "", `Error from server (NotFound): ${kind} "${name}" not found\n`);
}

function jsonpath(object: unknown, path: string): string {
  const expr = /^\{(.*)\}$/.exec(path)?.[1];
  if (expr === undefined) throw new Error(`fake kubectl: unsupported output ${path}`);
  // a [*] step maps the rest of the path over a list, whose values kubectl prints separated by spaces
  let values: any[] = [object];
  let listed = false;
  for (const part of expr.replace(/^\./, "").split(/\.(?![^[]*\])/)) {
    const m = /^([\w-]+)(?:\[(\d+|\*)\])?$/.exec(part);
    if (!m) throw new Error(`fake kubectl: unsupported jsonpath ${path}`);
    values = values.flatMap((value) => {
      const next = value?.[m[1]];
      if (m[2] === "*") return Array.isArray(next) ? next : [];
      return [m[2] !== undefined ? next?.[Number(m[2])] : next];
    });
    if (m[2] === "*") listed = true;
  }
  const shown = values.filter((v) => v !== undefined && v !== null).map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v)));
  return listed ? shown.join(" ") : (shown[0] ?? "");
}

function slimCrd(doc: { metadata: { name: string; annotations?: Record<string, string> }; spec: { versions: { name: string; served: boolean }[] } }) {
  return {
    kind: "CustomResourceDefinition",
    metadata: { name: doc.metadata.name, annotations: doc.metadata.annotations ?? {} },
    spec: { versions: doc.spec.versions.map((v) => ({ name: v.name, served: v.served })) },
  };
}

function daemonSetObject(name: string) {
  const ds = state.daemonSets[name];
  // the nodes it runs on: one Pod per worker node unless switched off (the controllers' model)
  const scheduled = pods(state).filter((p) => p.owner === `DaemonSet/kube-system/${name}`).length;
  return ds && { spec: { template: { spec: { nodeSelector: ds.nodeSelector ?? {}, containers: [{ image: ds.image }] } } }, status: { desiredNumberScheduled: scheduled } };
}

const KINDS: Record<string, string> = {
  daemonset: "daemonsets",
  configmap: "configmaps",
  crd: "crds",
  customresourcedefinition: "crds",
  mutatingwebhookconfiguration: "mutatingwebhookconfigurations",
  flowschema: "FlowSchema",
  prioritylevelconfiguration: "PriorityLevelConfiguration",
};

/** `kubectl get TYPE[.VERSION.GROUP] NAME -o yaml` of an object the state holds, with what a server adds (uid, status). */
function getObjectYaml(type: string, name: string) {
  const kind = type.split(".")[0].toLowerCase();
  const ns = flag("-n", "--namespace") ?? "";
  const key = Object.keys(state.objects).find((k) => {
    const [k8sKind, objectNs, objectName] = k.split("/");
    return k8sKind.toLowerCase() === kind && objectNs === ns && objectName === name;
  });
  if (key === undefined) return notFound(kind, name);
  const object = state.objects[key] as Record<string, unknown> & { metadata?: Record<string, unknown> };
  const served = { ...object, metadata: { ...(object.metadata ?? {}), uid: "00000000-0000-4000-8000-000000000001", resourceVersion: "4711", creationTimestamp: "2026-11-21T00:00:00Z" }, status: {} };
  return finish(0, stringify(served));
}

/** Resources install.sh finds by label (plural.group as kubectl names them) and the kinds the state keeps them under. */
const BY_LABEL: Record<string, { kind: string; group: string; crd: string | null }> = {
  "flowschemas.flowcontrol.apiserver.k8s.io": { kind: "FlowSchema", group: "flowcontrol.apiserver.k8s.io", crd: null },
  "prioritylevelconfigurations.flowcontrol.apiserver.k8s.io": { kind: "PriorityLevelConfiguration", group: "flowcontrol.apiserver.k8s.io", crd: null },
  "daemonsets.apps": { kind: "DaemonSet", group: "apps", crd: null },
  services: { kind: "Service", group: "", crd: null },
  configmaps: { kind: "ConfigMap", group: "", crd: null },
  serviceaccounts: { kind: "ServiceAccount", group: "", crd: null },
  secrets: { kind: "Secret", group: "", crd: null },
  "ciliumlocalredirectpolicies.cilium.io": { kind: "CiliumLocalRedirectPolicy", group: "cilium.io", crd: "ciliumlocalredirectpolicies.cilium.io" },
  "ciliumegressgatewaypolicies.cilium.io": { kind: "CiliumEgressGatewayPolicy", group: "cilium.io", crd: "ciliumegressgatewaypolicies.cilium.io" },
  "logconfigs.cls.cloud.tencent.com": { kind: "LogConfig", group: "cls.cloud.tencent.com", crd: "logconfigs.cls.cloud.tencent.com" },
  "gateways.gateway.networking.k8s.io": { kind: "Gateway", group: "gateway.networking.k8s.io", crd: "gateways.gateway.networking.k8s.io" },
  "httproutes.gateway.networking.k8s.io": { kind: "HTTPRoute", group: "gateway.networking.k8s.io", crd: "httproutes.gateway.networking.k8s.io" },
};

/** `kubectl [-n NS] get|delete R1,R2 -l k=v,k=v [-o name]`: equality selectors over the objects' labels. */
function byLabel(verb: "get" | "delete", resources: string, selector: string) {
  const wanted = selector.split(",").map((term) => {
    const m = /^([\w./-]+)=([\w.-]+)$/.exec(term);
    if (!m) throw new Error(`fake kubectl: unsupported selector ${selector}`);
    return [m[1], m[2]] as const;
  });
  const ns = flag("-n", "--namespace") ?? "";
  const matched: string[] = [];
  for (const resource of resources.split(",")) {
    const r = BY_LABEL[resource];
    if (r === undefined) throw new Error(`fake kubectl: ${verb} ${resource} by label`);
    if (r.crd !== null && !state.crds.includes(r.crd)) return finish(1, "", `error: the server doesn't have a resource type "${resource}"\n`);
    for (const [key, object] of Object.entries(state.objects)) {
      const [kind, objectNs] = key.split("/");
      const labels = ((object as { metadata?: { labels?: Record<string, string> } }).metadata?.labels ?? {}) as Record<string, string>;
      if (kind === r.kind && objectNs === ns && wanted.every(([k, v]) => labels[k] === v)) matched.push(key);
    }
  }
  if (verb === "get") {
    if (flag("-o", "--output") !== "name") throw new Error(`fake kubectl: get by label ${argv.join(" ")}`);
    return finish(0, matched.map((key) => {
      const [kind, , name] = key.split("/");
      const group = Object.values(BY_LABEL).find((r) => r.kind === kind)!.group;
      return `${kind.toLowerCase()}${group ? `.${group}` : ""}/${name}\n`;
    }).join(""));
  }
  for (const key of matched) delete state.objects[key];
  label = `kubectl delete ${matched.join(" ")}`;
  return finish(0, matched.length === 0 ? "No resources found\n" : matched.map((key) => `${key} deleted\n`).join(""));
}

function kubectl() {
  const [verb, ...rest] = positional;
  const output = flag("-o", "--output");
  const selector = flag("-l", "--selector");
  if ((verb === "get" || verb === "delete") && selector !== undefined && rest.length === 1 && rest[0] !== "nodes" && rest[0] !== "pods") return byLabel(verb, rest[0], selector);
  if (verb === "get" && output === "yaml") return getObjectYaml(rest[0], rest[1]);
  if (verb === "get") {
    const [kind, name] = rest;
    if (kind === "endpoints" && name === "kubernetes") return finish(0, state.vip);
    if (kind === "nodes" && output === `jsonpath={range .items[*]}{.metadata.name}{" "}{.spec.taints[*].key}{"\\n"}{end}`) {
      return finish(0, state.nodes.map((n) => `${n.name} ${(n.taints ?? []).map((t) => t.key).join(" ")}\n`).join(""));
    }
    if (kind === "nodes") {
      const selector = flag("-l", "--selector");
      if (selector !== "node.kubernetes.io/instance-type!=eklet" || output !== "name") throw new Error(`fake kubectl: get nodes ${argv.join(" ")}`);
      return finish(0, state.nodes.filter((n) => n.type !== "eklet").map((n) => `node/${n.name}\n`).join(""));
    }
    if (kind === "daemonset") {
      const object = daemonSetObject(name);
      if (!object) return notFound("daemonsets.apps", name);
      if (output === "name") return finish(0, `daemonset.apps/${name}\n`);
      return finish(0, jsonpath(object, output!.replace(/^jsonpath=/, "")));
    }
    if (kind === "configmap") {
      const cm = state.objects[`ConfigMap/${namespace}/${name}`];
      if (!cm) return notFound("configmaps", name);
      if (output === "name") return finish(0, `configmap/${name}\n`);
      return finish(0, jsonpath(cm, output!.replace(/^jsonpath=/, "")));
    }
    if (kind === "crd" && output?.startsWith("jsonpath=")) {
      if (!state.crds.includes(name)) return notFound("customresourcedefinitions.apiextensions.k8s.io", name);
      const crd = state.objects[`CustomResourceDefinition//${name}`] ?? { metadata: { name } };
      const annotation = /^jsonpath=\{\.metadata\.annotations\.(.+)\}$/.exec(output)?.[1];
      if (annotation !== undefined) return finish(0, String((crd.metadata as { annotations?: Record<string, string> }).annotations?.[annotation.replaceAll("\\.", ".")] ?? ""));
      return finish(0, jsonpath(crd, output.replace(/^jsonpath=/, "")));
    }
    if (kind === "crd") {
      for (const crd of rest.slice(1).concat(name)) if (!state.crds.includes(crd)) return notFound("customresourcedefinitions.apiextensions.k8s.io", crd);
      return finish(0, rest.map((c) => `customresourcedefinition.apiextensions.k8s.io/${c}\n`).join(""));
    }
    if (kind === "mutatingwebhookconfiguration") return state.webhooks.includes(name) ? finish(0, `${kind}/${name}\n`) : notFound(kind, name);
    if (kind === "service") {
      const ip = state.services?.[`${namespace}/${name}`];
      if (ip === undefined) return notFound("services", name);
      const lb = state.loadBalancers?.[`${namespace}/${name}`];
      return finish(0, jsonpath({ spec: { clusterIP: ip }, status: { loadBalancer: lb === undefined ? {} : { ingress: [{ ip: lb }] } } }, output!.replace(/^jsonpath=/, "")));
    }
    if (kind === "deployment" || kind === "secret") {
      const object = state.objects[`${kind === "deployment" ? "Deployment" : "Secret"}/${namespace}/${name}`];
      // --ignore-not-found: kubectl prints nothing and succeeds
      if (!object && flags["--ignore-not-found"]) return finish(0);
      if (!object) return notFound(kind === "deployment" ? "deployments.apps" : "secrets", name);
      if (output === "name") return finish(0, `${kind}/${name}\n`);
      return finish(0, jsonpath(object, output!.replace(/^jsonpath=/, "")));
    }
    if (kind === "nodepools.karpenter.sh") {
      const pool = state.objects[`NodePool//${name}`];
      if (!pool) return notFound("nodepools.karpenter.sh", name);
      if (output === "name") return finish(0, `nodepool.karpenter.sh/${name}\n`);
      return finish(0, jsonpath(pool, output!.replace(/^jsonpath=/, "")));
    }
    if (kind === "flowschema" || kind === "prioritylevelconfiguration") {
      return state.objects[`${KINDS[kind]}//${name}`] ? finish(0, `${kind}/${name}\n`) : notFound(kind, name);
    }
  }
  if (verb === "taint" && rest[0] === "nodes") {
    const [, name, removal] = rest;
    const node = state.nodes.find((n) => n.name === name);
    if (!node) return notFound("nodes", name);
    if (!removal.endsWith("-") || removal.includes("=") || removal.includes(":")) throw new Error(`fake kubectl: taint ${argv.join(" ")}`);
    const key = removal.slice(0, -1);
    if (!(node.taints ?? []).some((t) => t.key === key)) return finish(1, "", `error: taint "${key}" not found\n`);
    node.taints = node.taints!.filter((t) => t.key !== key);
    label = `kubectl taint nodes ${name} ${removal}`;
    return finish(0, `node/${name} untainted\n`);
  }
  if (verb === "patch" && rest[0] === "nodepools.karpenter.sh") {
    const pool = state.objects[`NodePool//${rest[1]}`] as { spec: { template: { spec: { startupTaints?: unknown[] } } } } | undefined;
    if (!pool) return notFound("nodepools.karpenter.sh", rest[1]);
    if (flag("--type") !== "json") throw new Error(`fake kubectl: patch ${argv.join(" ")}`);
    for (const op of JSON.parse(flag("-p", "--patch")!)) {
      const index = /^\/spec\/template\/spec\/startupTaints\/(\d+)$/.exec(op.path)?.[1];
      const taints = pool.spec.template.spec.startupTaints;
      if (op.op !== "remove" || index === undefined || taints === undefined || Number(index) >= taints.length) return finish(1, "", `The request is invalid: cannot remove ${op.path}\n`);
      taints.splice(Number(index), 1);
    }
    label = `kubectl patch nodepools.karpenter.sh ${rest[1]}`;
    return finish(0, `nodepool.karpenter.sh/${rest[1]} patched\n`);
  }
  if (verb === "patch" && rest[0] === "daemonset") {
    const ds = state.daemonSets[rest[1]];
    if (!ds) return notFound("daemonsets.apps", rest[1]);
    const patch = JSON.parse(flag("-p", "--patch")!);
    if (flag("--type") === "json") {
      for (const op of patch) {
        const key = /^\/spec\/template\/spec\/nodeSelector\/(.+)$/.exec(op.path)?.[1];
        if (op.op !== "remove" || !key || !(key in (ds.nodeSelector ?? {}))) return finish(1, "", `The request is invalid: cannot remove ${op.path}\n`);
        delete ds.nodeSelector![key];
      }
    } else ds.nodeSelector = { ...(ds.nodeSelector ?? {}), ...patch.spec.template.spec.nodeSelector };
    return finish(0, `daemonset.apps/${rest[1]} patched\n`);
  }
  if (verb === "apply") {
    const docs = parseAllDocuments(file(flag("-f", "--filename")!)).map((d) => d.toJS());
    const changed: string[] = [];
    for (const doc of docs) {
      if (doc.kind === "NodePool" || doc.kind === "TKEMachineNodeClass") {
        const crd = doc.kind === "NodePool" ? "nodepools.karpenter.sh" : "tkemachinenodeclasses.karpenter.k8s.tke";
        if (!state.crds.includes(crd)) return finish(1, "", `error: resource mapping not found for kind "${doc.kind}": ensure CRDs are installed first\n`);
      }
      if (doc.kind === "CiliumLocalRedirectPolicy" && !state.crds.includes("ciliumlocalredirectpolicies.cilium.io")) {
        return finish(1, "", `error: resource mapping not found for kind "${doc.kind}": ensure CRDs are installed first\n`);
      }
      const key = `${doc.kind}/${doc.metadata.namespace ?? ""}/${doc.metadata.name}`;
      // the API server refuses to create an object that carries another object's identity (a copy of a
      // `get -o yaml` not stripped of it)
      if (!state.objects[key] && doc.metadata.resourceVersion !== undefined) {
        return finish(1, "", `Error from server (BadRequest): error when creating "${flag("-f", "--filename")}": resourceVersion should not be set on objects to be created\n`);
      }
      // a CRD is kept as the API server shows it to these scripts: its name, annotations and served versions
      const kept = doc.kind === "CustomResourceDefinition" ? slimCrd(doc) : doc;
      if (JSON.stringify(state.objects[key]) !== JSON.stringify(kept)) changed.push(key);
      state.objects[key] = kept;
      if (doc.kind === "CustomResourceDefinition" && !state.crds.includes(doc.metadata.name)) state.crds.push(doc.metadata.name);
    }
    label = `kubectl apply ${changed.join(" ")}`;
    return finish(0, docs.map((d) => `${d.kind.toLowerCase()}/${d.metadata.name} configured\n`).join(""));
  }
  if (verb === "delete" && flag("-f", "--filename") !== undefined) {
    const docs = parseAllDocuments(file(flag("-f", "--filename")!)).map((d) => d.toJS());
    const gone: string[] = [];
    for (const doc of docs) {
      const key = `${doc.kind}/${doc.metadata.namespace ?? ""}/${doc.metadata.name}`;
      if (!state.objects[key]) {
        if (flags["--ignore-not-found"]) continue;
        return notFound(doc.kind, doc.metadata.name);
      }
      delete state.objects[key];
      gone.push(key);
    }
    label = `kubectl delete ${gone.join(" ")}`;
    return finish(0);
  }
  if (verb === "delete") {
    const [kind, name] = rest;
    if (kind === "mutatingwebhookconfiguration") {
      if (!state.webhooks.includes(name)) return notFound(kind, name);
      state.webhooks = state.webhooks.filter((w) => w !== name);
      return finish(0);
    }
    if (kind === "daemonset") {
      if (!state.daemonSets[name]) return notFound("daemonsets.apps", name);
      delete state.daemonSets[name];
      return finish(0);
    }
    const key = kind === "configmap" ? `ConfigMap/${namespace}/${name}` : kind === "secret" ? `Secret/${namespace}/${name}` : `${KINDS[kind]}//${name}`;
    if (!state.objects[key]) return notFound(kind, name);
    delete state.objects[key];
    return finish(0);
  }
  // `kubectl exec TARGET [-c CONTAINER] -- COMMAND...`: the answer the test gave for that command in that target
  if (verb === "exec") {
    const command = argv.slice(argv.indexOf("--") + 1).join(" ");
    const answer = state.exec?.[`${namespace}/${rest[0]} ${command}`];
    if (answer === undefined) throw new Error(`fake kubectl: no answer for exec ${rest[0]} -- ${command}`);
    return finish(answer.code ?? 0, answer.stdout ?? "", answer.stderr ?? "");
  }
  if (verb === "rollout" && rest[0] === "status" && rest[1].startsWith("deployment/")) {
    const name = rest[1].slice("deployment/".length);
    const owned = pods(state).filter((p) => p.owner === `Deployment/${namespace}/${name}`);
    const ready = owned.filter((p) => p.status === "Running").length;
    if (owned.length > 0 && ready === owned.length) return finish(0, `deployment "${name}" successfully rolled out\n`);
    const waiting = `Waiting for deployment "${name}" rollout to finish: ${ready} of ${owned.length} updated replicas are available...\n`;
    const crash = owned.find((p) => p.status === "CrashLoopBackOff");
    // a crash-looping Deployment never becomes available: the wait ends at its timeout
    return finish(1, waiting, `${crash ? `(pod ${crash.name}: CrashLoopBackOff: ${crash.reason})\n` : ""}error: timed out waiting for the condition\n`);
  }
  // `kubectl logs deployment/NAME`: the log of a crash-looping Pod ends with why it exited
  if (verb === "logs" && rest[0]?.startsWith("deployment/")) {
    const owned = pods(state).filter((p) => p.owner === `Deployment/${namespace}/${rest[0].slice("deployment/".length)}`);
    if (owned.length === 0) return finish(1, "", `error: ${rest[0]} has no Pods\n`);
    const pulling = owned.find((p) => p.status === "ImagePullBackOff");
    if (pulling) return finish(1, "", `Error from server (BadRequest): container "cilium-operator" in pod "${pulling.name}" is waiting to start: trying and failing to pull image\n`);
    const crash = owned.find((p) => p.status === "CrashLoopBackOff");
    return finish(0, crash ? `level=fatal msg="failed to start" error="${crash.reason}"\n` : "level=info msg=\"started\"\n");
  }
  if (verb === "get" && (rest[0] === "pods" || rest[0] === "pod")) {
    const selector = flag("-l", "--selector");
    const app = selector === undefined ? undefined : /^(?:k8s-app|app\.kubernetes\.io\/name|name)=([\w.-]+)$/.exec(selector)?.[1];
    if (selector !== undefined && app === undefined) throw new Error(`fake kubectl: get pods -l ${selector}`);
    if (output !== undefined) throw new Error(`fake kubectl: get pods -o ${output}`);
    const shown = pods(state).filter((p) => p.owner.split("/")[1] === namespace && (app === undefined || p.owner.split("/")[2] === app));
    if (shown.length === 0) return finish(0, "", `No resources found in ${namespace} namespace.\n`);
    const rows = [["NAME", "READY", "STATUS", "RESTARTS", "NODE"], ...shown.map((p) => [p.name, p.status === "Running" ? "1/1" : "0/1", p.status, p.status === "CrashLoopBackOff" ? "5" : "0", p.node ?? "<none>"])];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return finish(0, rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("   ").trimEnd() + "\n").join(""));
  }
  if (verb === "wait" && flag("--for")?.toLowerCase() === "condition=established") {
    const crds = rest.map((r) => r.replace(/^crd\//, ""));
    for (const crd of crds) if (!state.crds.includes(crd)) return notFound("customresourcedefinitions.apiextensions.k8s.io", crd);
    return finish(0, crds.map((crd) => `customresourcedefinition.apiextensions.k8s.io/${crd} condition met\n`).join(""));
  }
  if (verb === "rollout" && rest[0] === "status") {
    const name = rest[1].replace(/^daemonset\//, "");
    if (!state.daemonSets[name]) return finish(1, "", `Error from server (NotFound): daemonsets.apps "${name}" not found\n`);
    return finish(0, `daemon set "${name}" successfully rolled out\n`);
  }
  throw new Error(`fake kubectl: unsupported call: kubectl ${argv.join(" ")}`);
}

function helm() {
  const [verb, ...rest] = positional;
  if (verb === "repo" && rest[0] === "add") {
    if (!state.chartReachable) return finish(1, "", `Error: looks like "${rest[2]}" is not a valid chart repository or cannot be reached\n`);
    if (state.helmRepos?.[rest[1]] !== undefined && state.helmRepos[rest[1]] !== rest[2] && !flags["--force-update"]) return finish(1, "", `Error: repository name (${rest[1]}) already exists, please specify a different name\n`);
    state.helmRepos = { ...(state.helmRepos ?? {}), [rest[1]]: rest[2] };
    return finish(0, `"${rest[1]}" has been added to your repositories\n`);
  }
  if (verb === "show" && rest[0] === "chart") {
    if (!state.chartReachable) return finish(1, "", "Error: failed to fetch chart\n");
    return finish(0, `name: cilium\nversion: ${flag("--version")}\n`);
  }
  if (verb === "list") {
    const filter = new RegExp(flag("--filter") ?? "");
    if (flag("-o", "--output") !== "json") throw new Error(`fake helm: list ${argv.join(" ")}`);
    const rows = Object.entries(state.releases)
      .filter(([key]) => key.startsWith(`${namespace}/`) && filter.test(key.slice(namespace.length + 1)))
      .map(([key, r]) => ({ name: key.slice(namespace.length + 1), namespace, revision: String(r.revision), updated: "2026-11-21 00:00:00 +0000 UTC", status: r.status, chart: `cilium-${r.version}`, app_version: r.version }));
    return finish(0, JSON.stringify(rows) + "\n");
  }
  if (verb === "get" && rest[0] === "values") {
    const found = state.releases[`${namespace}/${rest[1]}`];
    if (!found) return finish(1, "", "Error: release: not found\n");
    if (flag("-o", "--output") !== "yaml") throw new Error(`fake helm: get values ${argv.join(" ")}`);
    if (found.set.length > 0) throw new Error("fake helm: get values of a release installed with --set");
    return finish(0, stringify(releaseValues(state, `${namespace}/${rest[1]}`)));
  }
  const release = state.releases[`${namespace}/${rest[0]}`];
  if (verb === "history") {
    if (!release) return finish(1, "", "Error: release: not found\n");
    const entry = { revision: release.revision, updated: "2026-11-21T00:00:00Z", status: release.status, chart: `cilium-${release.version}`, app_version: release.version, description: release.description };
    return finish(0, JSON.stringify([entry]) + "\n");
  }
  if (verb === "upgrade" && flags["--install"]) {
    const [name] = rest;
    const version = flag("--version") ?? "";
    label = `helm upgrade --install ${name} ${version}`;
    const owners = state.owners ?? {};
    const taken = (state.renders?.[name] ?? []).filter((o) => owners[o] !== undefined && owners[o] !== name);
    if (taken.length > 0) {
      const [kind, ns, objectName] = taken[0].split("/");
      return finish(1, "", `Error: Unable to continue with install: ${kind} "${objectName}" in namespace "${ns}" exists and cannot be imported into the current release: invalid ownership metadata; annotation validation error: key "meta.helm.sh/release-name" must equal "${name}": current value is "${owners[taken[0]]}"\n`);
    }
    // a server-side dry run renders and checks, and changes nothing
    if (flags["--dry-run=server"]) return finish(0, `Release "${name}" has been upgraded. Happy Helming!\n`);
    state.owners = owners;
    for (const o of Object.keys(owners)) if (owners[o] === name) delete owners[o];
    for (const o of state.renders?.[name] ?? []) owners[o] = name;
    const values = (flags["-f"] ?? []).map((f) => file(f as string));
    state.releases[`${namespace}/${name}`] = {
      version,
      revision: (release?.revision ?? 0) + 1,
      status: "deployed",
      description: flag("--description") ?? (release ? "Upgrade complete" : "Install complete"),
      values,
      set: (flags["--set"] ?? []) as string[],
    };
    // what the chart creates: the agents, and cilium-config with the datapath the values ask for
    if (name === "cilium") {
      state.daemonSets.cilium = { image: `quay.tencentcloudcr.com/cilium/cilium:v${version}`, nodeSelector: {} };
      const merged = releaseValues(state, `${namespace}/${name}`);
      const before = state.objects[`ConfigMap/${namespace}/cilium-config`]?.data;
      const data = { "routing-mode": merged.routingMode ?? "tunnel", ipam: merged.ipam?.mode ?? "cluster-pool", "tunnel-protocol": merged.tunnelProtocol ?? "vxlan" };
      state.objects[`ConfigMap/${namespace}/cilium-config`] = { data };
      // the agents restart with the new datapath under running Pods
      const incident = release ? datapathIncident(before, data) : null;
      if (incident) state.incidents = [...(state.incidents ?? []), incident];
    }
    if (name === "cilium-preflight") state.daemonSets["cilium-pre-flight-check"] = { image: `quay.tencentcloudcr.com/cilium/cilium:v${version}` };
    return finish(0, `Release "${name}" has been upgraded. Happy Helming!\n`);
  }
  if (verb === "uninstall") {
    if (!release) return finish(1, "", `Error: uninstall: Release not loaded: ${rest[0]}: release: not found\n`);
    delete state.releases[`${namespace}/${rest[0]}`];
    for (const [o, owner] of Object.entries(state.owners ?? {})) if (owner === rest[0]) delete state.owners![o];
    if (rest[0] === "cilium") {
      delete state.daemonSets.cilium;
      delete state.objects[`ConfigMap/${namespace}/cilium-config`];
    }
    if (rest[0] === "cilium-preflight") delete state.daemonSets["cilium-pre-flight-check"];
    return finish(0, `release "${rest[0]}" uninstalled\n`);
  }
  throw new Error(`fake helm: unsupported call: helm ${argv.join(" ")}`);
}

try {
  const call = [tool, ...argv].join(" ");
  for (const [prefix, left] of Object.entries(state.failures ?? {})) {
    if (left > 0 && call.startsWith(prefix)) {
      state.failures![prefix] = left - 1;
      return { code: 1, stdout: "", stderr: "Error: Kubernetes cluster unreachable: Get \"https://169.254.128.27:60002/version\": dial tcp 169.254.128.27:60002: i/o timeout\n" };
    }
  }
  if (tool === "kubectl") kubectl();
  else if (tool === "helm") helm();
  else throw new Error(`fake cluster: unknown tool ${tool}`);
  throw new Error(`fake cluster: no answer to ${tool} ${argv.join(" ")}`);
} catch (error) {
  if (error instanceof Done) {
    reconcile(state);
    return error.answer;
  }
  state.unsupported = [...(state.unsupported ?? []), String((error as Error).message)];
  return { code: 99, stdout: "", stderr: `${(error as Error).message}\n` };
}
}
