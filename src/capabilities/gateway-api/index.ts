import crds130 from "../../../schema/gateway-api/v1.3.0-standard-tlsroute.yaml?lazy";
import crds141 from "../../../schema/gateway-api/v1.4.1-standard-tlsroute.yaml?lazy";
import crds151 from "../../../schema/gateway-api/v1.5.1-standard.yaml?lazy";
import requireCrds from "./require.sh.hbs?raw";
import { GATEWAY_API, GATEWAY_API_BY_MINOR, GATEWAY_EXAMPLE_PORTS, TKE_CLB_ANNOTATIONS, type GatewayApiRelease } from "../../knowledge/addons.js";
import { addonLabels, BUNDLE_FILES } from "../../knowledge/bundle.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { file, type OutputFile } from "../../emit/output.js";
import { compareVersions } from "../../text/version.js";
import { manifestsToYaml } from "../../text/yaml.js";
import { defineCapability, type FilesContext } from "../capability.js";

/** The CRD files of schema/gateway-api/, by their name in GATEWAY_API_BY_MINOR. */
const CRD_FILES: Record<GatewayApiRelease["file"], () => string> = {
  "v1.3.0-standard-tlsroute": crds130,
  "v1.4.1-standard-tlsroute": crds141,
  "v1.5.1-standard": crds151,
};

/** The CRDs of a Cilium version's minor; a minor newer than the table gets the newest row (the newest CRDs the tool knows). */
export function gatewayApiRelease(ciliumVersion: string): GatewayApiRelease {
  const minor = ciliumVersion.split(".").slice(0, 2).join(".");
  const fitting = GATEWAY_API_BY_MINOR.filter((r) => compareVersions(r.minor, minor) <= 0);
  return fitting.at(-1) ?? GATEWAY_API_BY_MINOR[0];
}

/** features.gatewayApi: the CRDs shipped with the bundle, and the example Gateway. */
interface GatewayApi {
  release: GatewayApiRelease;
  ciliumMinor: string;
  version: string;
  crdsFile: string;
  exampleFile: string;
  gatewayClass: string;
  listenerPort: number;
  clbPort: number;
}

/** features.gatewayApi: Cilium's Gateway API on host-network Envoy, its CRDs applied before the chart. */
export const gatewayApi = defineCapability({
  id: "gateway-api",
  kind: "add-on",
  summary: "Gateway API (host-network Envoy), the CRDs of its Cilium minor shipped in the bundle, an example Gateway behind a TKE CLB",
  fields: ["/features/gatewayApi"],
  codes: [] as const,
  profileRules: [],
  examples: [],
  // the example (gateway-example.yaml, applied by the user) goes; the CRDs stay: they may hold the user's Gateways and routes
  leftovers: [
    { resource: "httproutes.gateway.networking.k8s.io", namespace: "default", crd: "httproutes.gateway.networking.k8s.io" },
    { resource: "gateways.gateway.networking.k8s.io", namespace: "default", crd: "gateways.gateway.networking.k8s.io" },
    { resource: "services", namespace: "default", crd: null },
  ],
  leftoverNote:
    "the Gateway API CRDs stay (they may hold Gateways and routes of yours, or serve another controller): once kubectl get gateways,httproutes,grpcroutes,tlsroutes -A shows nothing you need, delete them with kubectl delete crd -l gateway.networking.k8s.io/bundle-version",
  resolve: (p): GatewayApi | null =>
    p.features.gatewayApi
      ? {
          release: gatewayApiRelease(p.cilium.version),
          ciliumMinor: p.cilium.version.split(".").slice(0, 2).join("."),
          version: gatewayApiRelease(p.cilium.version).version,
          crdsFile: BUNDLE_FILES.gatewayApiCrds,
          exampleFile: BUNDLE_FILES.gatewayExample,
          gatewayClass: GATEWAY_API.gatewayClass,
          listenerPort: GATEWAY_EXAMPLE_PORTS.listener,
          clbPort: GATEWAY_EXAMPLE_PORTS.clb,
        }
      : null,
  values: () => ({ features: [entry("gatewayAPI.enabled", true), entry("gatewayAPI.hostNetwork.enabled", true)] }),
  files: (g, { header }) => gatewayApiFiles(g, header),
  delivery: (g) => ({
    manifests: [{ file: g.crdsFile, phase: "before-chart", what: `the Gateway API ${g.version} CRDs cilium-operator watches (apply server-side: they are too large for a client-side apply)` }],
  }),
  plan: (g) => [
    {
      kind: "check",
      id: "gateway-api/newer-crds",
      phase: "requirements",
      script: {
        template: requireCrds,
        words: { want: g.version, annotation: `{.metadata.annotations.${GATEWAY_API.bundleVersionAnnotation.replaceAll(".", "\\.")}}` },
        texts: { wantText: g.version, minor: g.ciliumMinor, file: g.crdsFile },
        lists: { crds: g.release.crds.map((c) => `${c}.${GATEWAY_API.group}`) },
      },
      provide: [],
      need: [],
      when: "always",
      helmArgs: null,
    },
    {
      kind: "apply",
      id: "gateway-api/crds",
      phase: "before-chart",
      title: "Apply the Gateway API CRDs (before the chart: cilium-operator watches them from its start)",
      file: g.crdsFile,
      serverSide: true,
      established: g.release.crds.map((c) => `${c}.${GATEWAY_API.group}`),
      undo: {
        kind: "keep",
        note: "users' Gateways and routes live in these CRDs",
        tell: `The Gateway API CRDs (${g.crdsFile}) stay, with every Gateway and route in them: delete them (kubectl delete -f ${g.crdsFile}) only when nothing uses them.`,
      },
    },
    {
      kind: "say",
      id: "gateway-api/next",
      phase: "next-steps",
      text: `Expose a Gateway through a CLB: see ${g.exampleFile} (kubectl get gatewayclass shows ${g.gatewayClass} once the operator runs)`,
      undo: null,
    },
  ],
});

function gatewayApiFiles(g: GatewayApi, header: FilesContext["header"]): OutputFile[] {
  const tls = g.release.tlsRoute === "v1" ? "" : ` and the experimental TLSRoute (${g.release.tlsRoute})`;
  const lines = header(`The Gateway API ${g.version} standard CRDs${tls} Cilium ${g.ciliumMinor}'s operator needs, so the cluster needs no access to GitHub. install.sh applies them before the chart.`);
  const crds = [...lines.map((line) => `# ${line}`), CRD_FILES[g.release.file]().replace(/^---\n/, "")].join("\n");
  const name = "example-gateway";
  const gateway = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name, namespace: "default", labels: addonLabels("gateway-api") },
    spec: { gatewayClassName: g.gatewayClass, listeners: [{ name: "http", port: g.listenerPort, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } }] },
  };
  const route = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "example-route", namespace: "default", labels: addonLabels("gateway-api") },
    spec: {
      parentRefs: [{ name, sectionName: "http" }],
      hostnames: ["example.internal"],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "example-backend", port: 80 }] }],
    },
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${name}-clb`, namespace: "default", labels: addonLabels("gateway-api"), annotations: { [TKE_CLB_ANNOTATIONS.directAccess]: "true" } },
    spec: {
      type: "LoadBalancer",
      externalTrafficPolicy: "Cluster",
      selector: { "k8s-app": "cilium-envoy" },
      ports: [{ name: "http", port: g.clbPort, targetPort: g.listenerPort, protocol: "TCP" }],
    },
  };
  const comments = new Map([
    [
      "0:spec.listeners",
      `port ${g.listenerPort}: Envoy binds it on every node (host network); a port under 1024 needs envoy.securityContext.capabilities.keepCapNetBindService true in cilium.extraValues, and must be free on the nodes`,
    ],
    ["2:metadata.annotations", `${TKE_CLB_ANNOTATIONS.directAccess}: the CLB sends to the envoy Pods (node IPs) directly; add ${TKE_CLB_ANNOTATIONS.existingLb}: lb-xxxxxxxx to reuse a CLB`],
    ["2:spec.ports", `the CLB listens on ${g.clbPort} and sends to the Gateway's listener port; allow it in the nodes' security group (or set LoadBalancerPassToTarget on the CLB)`],
  ]);
  return [
    file(g.crdsFile, crds.endsWith("\n") ? crds : `${crds}\n`),
    file(
      g.exampleFile,
      manifestsToYaml(
        header("An example, not applied by install.sh: a Gateway, a route and the TKE CLB Service in front of the host-network Envoy (the guide's pattern). Copy and adapt it."),
        [gateway, route, service],
        comments,
      ),
    ),
  ];
}
