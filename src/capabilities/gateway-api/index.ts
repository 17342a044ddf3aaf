import gatewayApiCrds from "../../../schema/gateway-api/v1.5.1-standard.yaml?lazy";
import { GATEWAY_API, GATEWAY_EXAMPLE_PORTS, TKE_CLB_ANNOTATIONS } from "../../knowledge/addons.js";
import { BUNDLE_FILES } from "../../knowledge/bundle.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { file, type OutputFile } from "../../emit/output.js";
import { compareVersions } from "../../text/version.js";
import { manifestsToYaml } from "../../text/yaml.js";
import { defineCapability, type FilesContext } from "../capability.js";

/** features.gatewayApi: the CRDs shipped with the bundle, and the example Gateway. */
interface GatewayApi {
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
  summary: "Gateway API (host-network Envoy), its standard CRDs shipped in the bundle, an example Gateway behind a TKE CLB",
  fields: ["/features/gatewayApi"],
  codes: [
    {
      code: "GATEWAY_API_NEEDS_CILIUM_1_19",
      stage: "profile",
      severity: "error",
      title: "the shipped Gateway API CRDs need Cilium 1.19 or later",
      explanation:
        "The bundle ships the Gateway API v1.5.1 CRDs the guide pins for Cilium 1.19.5. In v1.5.1 the TLSRoute CRD serves only v1 (v1alpha2 is no longer served), while Cilium 1.18 watches TLSRoute v1alpha2. Use Cilium 1.19 or later for features.gatewayApi.",
      source: "guide: gateway-api.md; gateway-api v1.5.1 tlsroutes CRD (served versions)",
    },
  ] as const,
  profileRules: [
    {
      code: "GATEWAY_API_NEEDS_CILIUM_1_19",
      check: (p) =>
        p.features.gatewayApi && compareVersions(p.cilium.version.split(".").slice(0, 2).join("."), GATEWAY_API.minCilium) < 0
          ? [{ pointer: "/features/gatewayApi", message: `the bundle ships the Gateway API ${GATEWAY_API.version} CRDs the guide pins for Cilium ${GATEWAY_API.minCilium}; Cilium ${p.cilium.version} reads TLSRoute v1alpha2, which they no longer serve: use cilium.version 1.19 or later` }]
          : [],
    },
  ],

  examples: [
    { code: "GATEWAY_API_NEEDS_CILIUM_1_19", fires: { cilium: { mode: "overlay", version: "1.18.12" }, features: { gatewayApi: true } },
      pointer: "/features/gatewayApi",
      quiet: { cilium: { mode: "overlay", version: "1.19.0" }, features: { gatewayApi: true } } },
  ],
  resolve: (p): GatewayApi | null =>
    p.features.gatewayApi
      ? {
          version: GATEWAY_API.version,
          crdsFile: BUNDLE_FILES.gatewayApiCrds,
          exampleFile: BUNDLE_FILES.gatewayExample,
          gatewayClass: GATEWAY_API.gatewayClass,
          listenerPort: GATEWAY_EXAMPLE_PORTS.listener,
          clbPort: GATEWAY_EXAMPLE_PORTS.clb,
        }
      : null,
  values: () => ({ features: [entry("gatewayAPI.enabled", true), entry("gatewayAPI.hostNetwork.enabled", true), entry("envoy.rollOutPods", true)] }),
  files: (g, { header }) => gatewayApiFiles(g, header),
  delivery: (g) => ({
    manifests: [{ file: g.crdsFile, phase: "before-chart", what: `the Gateway API ${g.version} CRDs cilium-operator watches (apply server-side: they are too large for a client-side apply)` }],
  }),
  plan: (g) => [
    {
      kind: "apply",
      id: "gateway-api/crds",
      phase: "before-chart",
      title: "Apply the Gateway API CRDs (before the chart: cilium-operator watches them from its start)",
      file: g.crdsFile,
      serverSide: true,
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
  const lines = header(`The Gateway API ${g.version} standard CRDs the guide pins for Cilium 1.19, so the cluster needs no access to GitHub. install.sh applies them before the chart.`);
  const crds = [...lines.map((line) => `# ${line}`), gatewayApiCrds().replace(/^---\n/, "")].join("\n");
  const name = "example-gateway";
  const gateway = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name, namespace: "default" },
    spec: { gatewayClassName: g.gatewayClass, listeners: [{ name: "http", port: g.listenerPort, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } }] },
  };
  const route = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "example-route", namespace: "default" },
    spec: {
      parentRefs: [{ name, sectionName: "http" }],
      hostnames: ["example.internal"],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "example-backend", port: 80 }] }],
    },
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${name}-clb`, namespace: "default", annotations: { [TKE_CLB_ANNOTATIONS.directAccess]: "true" } },
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
