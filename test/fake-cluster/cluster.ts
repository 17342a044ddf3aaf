import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutputFile } from "../../src/emit/index.js";
import { writeBundleTo } from "../helpers.js";
import { reconcile } from "./controllers.js";
import { fakeClusterPort, forgetClusterState, readClusterState, writeClusterState } from "./server.js";

/** The fake cluster's state (see fake.ts): what a TKE cluster shows install.sh and uninstall.sh. */
export interface ClusterState {
  vip: string;
  daemonSets: Record<string, { image: string; nodeSelector?: Record<string, string> }>;
  nodes: { name: string; type?: string; taints?: { key: string; value?: string; effect: string }[] }[];
  crds: string[];
  webhooks: string[];
  objects: Record<string, { data?: Record<string, string> } & Record<string, unknown>>;
  releases: Record<string, { version: string; revision: number; status: string; description: string; values: string[]; set: string[] }>;
  chartReachable: boolean;
  /** The helm client's repository entries (name -> URL), as helm repo add leaves them. */
  helmRepos?: Record<string, string>;
  /** ClusterIPs of Services by namespace/name. */
  services?: Record<string, string>;
  /** The address a LoadBalancer Service's CLB got (status.loadBalancer.ingress[0].ip), by namespace/name. */
  loadBalancers?: Record<string, string>;
  /** What `kubectl exec` prints, by "namespace/target command" (e.g. "kube-system/ds/cilium cilium-dbg status"). */
  exec?: Record<string, { code?: number; stdout?: string; stderr?: string }>;
  /**
   * Helm ownership: the objects ("Kind/namespace/name") the real `helm template` renders for a release, keyed
   * by release name (set by the test for the bundle it runs); `owners` records which release owns each object
   * once installed. An install that would take over another release's object fails as Helm does.
   */
  renders?: Record<string, string[]>;
  /** Transient errors: the next N calls starting with a prefix ("helm history") fail as an unreachable apiserver does. */
  failures?: Record<string, number>;
  owners?: Record<string, string>;
  /** What a live cluster's users would have noticed: "all Pods lost network (...)" (see controllers.ts). */
  incidents?: string[];
  /** Images the registry does not hold (a mirror copied in part): a Pod of one stays in ImagePullBackOff. */
  missingImages?: string[];
  changes: string[];
  calls: string[];
  unsupported?: string[];
}

/** A fresh TKE cluster as the guide starts from: VPC-CNI (or GR), TKE's networking DaemonSets, no nodes. */
export function tkeCluster(over: Partial<ClusterState> & { network?: "vpc-cni" | "gr"; eniAgentImage?: string } = {}): ClusterState {
  const { network = "vpc-cni", eniAgentImage = "ccr.ccs.tencentyun.com/tkeimages/tke-eni-agent:v3.8.3", ...rest } = over;
  const agent: ClusterState["daemonSets"] =
    network === "vpc-cni" ? { "tke-eni-agent": { image: eniAgentImage } } : { "tke-bridge-agent": { image: "ccr.ccs.tencentyun.com/tkeimages/tke-bridge-agent:v1.2.0" } };
  return {
    vip: "169.254.128.27",
    daemonSets: {
      "kube-proxy": { image: "ccr.ccs.tencentyun.com/tkeimages/kube-proxy:v1.34.1" },
      "tke-cni-agent": { image: "ccr.ccs.tencentyun.com/tkeimages/tke-cni-agent:v1.1.0" },
      "ip-masq-agent": { image: "ccr.ccs.tencentyun.com/tkeimages/ip-masq-agent:v2.5.0" },
      ...agent,
    },
    nodes: [],
    crds: ["nodepools.karpenter.sh", "tkemachinenodeclasses.karpenter.k8s.tke"],
    webhooks: network === "vpc-cni" ? ["add-pod-eni-ip-limit-webhook"] : [],
    objects: { "ConfigMap/kube-system/ip-masq-agent-config": { data: { config: "nonMasqueradeCIDRs:\n  - 10.0.0.0/16\n  - 172.20.0.0/16\n" } } },
    releases: {},
    services: { "kube-system/kube-dns": "192.168.0.10" },
    chartReachable: true,
    changes: [],
    calls: [],
    ...rest,
  };
}

/** A kubeadm cluster (seed 003's): its API server's address as the kubernetes endpoint, kube-proxy running or not. */
export function kubeadmCluster(over: { vip: string; kubeProxy: boolean }): ClusterState {
  return {
    ...tkeCluster({ vip: over.vip }),
    daemonSets: over.kubeProxy ? { "kube-proxy": { image: "registry.k8s.io/kube-proxy:v1.34.1" } } : {},
    crds: [],
    webhooks: [],
    objects: over.kubeProxy ? { "ConfigMap/kube-system/kube-proxy": { data: { "config.conf": "mode: iptables\n" } } } : {},
    services: { "kube-system/kube-dns": "10.96.0.10" },
  };
}

/**
 * The shim: a bash function that sends the call (tool, working folder, arguments) to the test's fake-cluster
 * server and runs its answer (the output, then `return` with the exit code). `-f -`: the piped manifest is
 * kept in a file the server can read. The answer is read with the `read` builtin, not a `cat` process.
 */
const CALL_FUNCTION = [
  "() {",
  '  local tool="$1" arg stdin_copy answer',
  "  shift",
  "  local args=()",
  '  for arg in "$@"; do',
  '    if [ "$arg" = - ]; then',
  '      stdin_copy="$(mktemp)"',
  '      cat >"$stdin_copy"',
  '      arg="$stdin_copy"',
  "    fi",
  '    args+=("$arg")',
  "  done",
  '  set -- ${args[@]+"${args[@]}"}',
  '  exec 3<>"/dev/tcp/127.0.0.1/${FAKE_CLUSTER_PORT:?}" || return 97',
  `  printf '%s\\0' "$(($# + 3))" "\${FAKE_CLUSTER_ID:?}" "$tool" "$PWD" "$@" >&3`,
  "  IFS= read -r -d '' answer <&3 || true",
  "  exec 3<&-",
  '  eval "$answer"',
  "}",
].join("\n");

/**
 * With one cluster, kubectl and helm are exported bash functions (what `export -f` puts in the environment),
 * so a script's call starts no bash; the executable shims in bin/ (the same function) serve the context router.
 */
const SHIM_FUNCTIONS: Record<string, string> = {
  "BASH_FUNC___fake_cluster_call%%": CALL_FUNCTION,
  "BASH_FUNC_kubectl%%": '() {\n  __fake_cluster_call kubectl "$@"\n}',
  "BASH_FUNC_helm%%": '() {\n  __fake_cluster_call helm "$@"\n}',
};

/** The clusters made since the last removeFakeClusters(). */
const made = new Set<FakeCluster>();

/**
 * Removes every fake cluster made so far: its folder (shims, bundles, the scripts' temporary files) and its state
 * in the server. A test file that makes clusters calls it in afterAll (test/setup/temp-check.ts fails a file
 * that leaves a folder behind).
 */
export function removeFakeClusters(): void {
  for (const cluster of made) {
    rmSync(cluster.dir, { recursive: true, force: true });
    forgetClusterState(cluster.id);
  }
  made.clear();
}

/** One fake cluster: its state (held by the fake-cluster server) and a bin/ folder with kubectl and helm shims. */
export class FakeCluster {
  readonly dir = mkdtempSync(join(tmpdir(), "tke-cilium-cluster-"));
  readonly id = randomBytes(8).toString("hex");
  readonly bin = join(this.dir, "bin");
  /** The scripts' TMPDIR (the shims' copies of a piped manifest): removed with the cluster. */
  readonly tmp = join(this.dir, "tmp");

  constructor(state: ClusterState) {
    made.add(this);
    mkdirSync(this.bin);
    mkdirSync(this.tmp);
    for (const tool of ["kubectl", "helm"]) {
      const shim = ["#!/usr/bin/env bash", "# a fake-cluster shim (see CALL_FUNCTION)", `__fake_cluster_call ${CALL_FUNCTION}`, `__fake_cluster_call ${tool} "$@"`, ""].join("\n");
      writeFileSync(join(this.bin, tool), shim, { mode: 0o755 });
    }
    this.write(state);
  }

  /** The state as the cluster's controllers leave it (the operator's Deployment follows nodes and CRDs). */
  get state(): ClusterState {
    return reconcile(readClusterState(this.id));
  }

  write(state: ClusterState): void {
    writeClusterState(this.id, state);
  }

  /** Change the state the way the world would (nodes joining...), without recording a change. */
  edit(change: (state: ClusterState) => void): void {
    const s = this.state;
    change(s);
    this.write(s);
  }

  /** Writes a bundle into its own folder (files with their modes). */
  writeBundle(name: string, files: readonly OutputFile[]): string {
    const folder = join(this.dir, "bundles", name);
    writeBundleTo(folder, files);
    return folder;
  }

  /**
   * A kubeconfig of several fake clusters, each a context (clustermesh.sh's `kubectl --context NAME`): a kubectl
   * in its own folder that answers `config get-contexts NAME` and sends each call to the cluster of its --context.
   * A call without --context fails, as no script may rely on the current context.
   */
  private contextRouter(contexts: Record<string, FakeCluster>): string {
    const dir = mkdtempSync(join(this.dir, "contexts-"));
    const names = Object.keys(contexts);
    const script = [
      "#!/usr/bin/env bash",
      'context=""',
      'take=0',
      'for arg in "$@"; do',
      '  if [ "$take" = 1 ]; then context="$arg"; take=0; fi',
      '  case "$arg" in --context) take=1 ;; --context=*) context="${arg#--context=}" ;; esac',
      "done",
      'if [ "${1:-}" = config ] && [ "${2:-}" = get-contexts ]; then',
      '  case "${3:-}" in',
      ...names.map((n) => `    '${n}') printf 'CURRENT   NAME\\n          %s\\n' '${n}'; exit 0 ;;`),
      `    *) printf 'error: context %s not found\\n' "\${3:-}" >&2; exit 1 ;;`,
      "  esac",
      "fi",
      'case "$context" in',
      ...names.map((n) => `  '${n}') FAKE_CLUSTER_ID='${contexts[n].id}' exec '${join(contexts[n].bin, "kubectl")}' "$@" ;;`),
      `  *) printf 'fake kubeconfig: no context %s\\n' "$context" >&2; exit 1 ;;`,
      "esac",
      "",
    ].join("\n");
    writeFileSync(join(dir, "kubectl"), script, { mode: 0o755 });
    return dir;
  }

  /** Runs a script of a bundle against this cluster; the changes it made, in order. */
  async run(
    script: string,
    args: string[] = [],
    env: Record<string, string> = {},
    options: { contexts?: Record<string, FakeCluster> } = {},
  ): Promise<{ status: number; stdout: string; stderr: string; changes: string[] }> {
    const port = await fakeClusterPort();
    const others = Object.values(options.contexts ?? {}).filter((c) => c !== this);
    for (const c of [this, ...others]) {
      const s = c.state;
      s.changes = [];
      s.calls = [];
      c.write(s);
    }
    const router = options.contexts === undefined ? "" : `${this.contextRouter(options.contexts)}:`;
    // asynchronous: the fake-cluster server answers in this process while the script runs
    const r = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn("bash", [script, ...args], {
        cwd: this.dir,
        // one cluster: kubectl and helm are also exported bash functions, so a call costs no bash start (the
        // executable shims stay for what cannot see a function); several contexts go through the router's PATH
        env: { ...process.env, TMPDIR: this.tmp, ...env, PATH: `${router}${this.bin}:${process.env.PATH}`, FAKE_CLUSTER_PORT: String(port), FAKE_CLUSTER_ID: this.id, ...(router === "" ? SHIM_FUNCTIONS : {}) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
    });
    const after = this.state;
    const unsupported = [this, ...others].flatMap((c) => c.state.unsupported ?? []);
    if (unsupported.length) throw new Error(`the fake cluster does not understand: ${unsupported.join("; ")}\n${r.stderr}`);
    return { ...r, changes: [...after.changes] };
  }
}
