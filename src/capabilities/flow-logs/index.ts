import removeLogConfig from "./remove.sh.hbs?raw";
import { FLOW_LOG_CONTAINER_METADATA, FLOW_LOG_EXTRACT_RULE, FLOW_LOG_INDEXES, FLOW_LOG_TOKENIZER, FLOW_LOGS } from "../../knowledge/addons.js";
import { BUNDLE_FILES } from "../../knowledge/bundle.js";
import { CILIUM_NAMESPACE } from "../../knowledge/tke.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { file, phasedMetadata, type OutputFile } from "../../emit/output.js";
import { addonLabels } from "../../knowledge/bundle.js";
import type { FilledProfile } from "../../profile.js";
import type { PlanStep } from "../../plan/step.js";
import { manifestsToYaml } from "../../text/yaml.js";
import { FLOW_FILTER_FIELDS, jsonFieldName } from "../../knowledge/flow-filter.js";
import { nearest } from "../../text/nearest.js";
import { defineCapability, type FilesContext } from "../capability.js";

const FLOW_FILTER_KEYS = new Set(FLOW_FILTER_FIELDS.flatMap((f) => [f, jsonFieldName(f)]));

/** One flow log export as the chart's hubble.export.dynamic.config.content takes it. */
export interface FlowLogExport {
  name: string;
  filePath: string;
  fieldMask: string[];
  includeFilters: Record<string, unknown>[];
  excludeFilters: Record<string, unknown>[];
  fileMaxSizeMb: number;
  fileMaxBackups: number;
  fileCompress: boolean;
}

type FlowLogsObject = Exclude<FilledProfile["features"]["flowLogs"], boolean>;

/** features.flowLogs as exports: the guide's "all" for true; the CLS endpoint's traffic left out of each. */
export function flowLogExports(p: FilledProfile): FlowLogExport[] {
  const asked = p.features.flowLogs;
  if (asked === false) return [];
  const exports = asked === true ? [{ name: FLOW_LOGS.defaultExport }] : ((asked as FlowLogsObject).exports ?? [{ name: FLOW_LOGS.defaultExport }]);
  const cls = FLOW_LOGS.clsEndpoint;
  return exports.map((e) => ({
    // required by the schema (the type cannot tell: name is optional elsewhere)
    name: e.name as string,
    filePath: `${FLOW_LOGS.dir}/${e.name as string}.log`,
    fieldMask: [...(e.fieldMask ?? [])],
    includeFilters: (e.include ?? []).map((f) => structuredClone(f) as Record<string, unknown>),
    // the agent's own log shipping to CLS would otherwise be logged, collected and shipped again, endlessly
    excludeFilters: [...(e.exclude ?? []).map((f) => structuredClone(f) as Record<string, unknown>), { source_ip: [cls] }, { destination_ip: [cls] }],
    ...FLOW_LOGS.rotation,
  }));
}

/** The CLS LogConfig, when the profile names the logset and topic. */
interface LogConfig {
  file: string;
  name: string;
  crd: string;
  region: string;
  logset: string;
  topic: string;
  dir: string;
}

/** features.flowLogs: Hubble's flow logs written to files on each node, and shipped to CLS when the profile names where. */
export const flowLogs = defineCapability({
  id: "flow-logs",
  kind: "add-on",
  summary: "Hubble flow logs to files on the nodes (redacted), and TKE log collection into CLS",
  fields: ["/features/flowLogs"],
  codes: [
    {
      code: "FLOW_LOG_EXPORT_TWICE",
      stage: "profile",
      severity: "error",
      title: "two flow log exports with one name",
      explanation:
        "Each export of features.flowLogs writes its own file, named after the export (/var/run/cilium/hubble/<name>.log). Two exports with the same name would write and rotate the same file with different filters. Name each export differently.",
      source: "guide: flow-logs.md (multiple rules, each to its own file)",
    },
    {
      code: "FLOW_FILTER_UNKNOWN_FIELD",
      stage: "profile",
      severity: "error",
      title: "a flow-log filter names a field Hubble's FlowFilter does not have",
      explanation:
        "features.flowLogs exports pass their include and exclude filters to Hubble's dynamic exporter, which reads each as a FlowFilter (flow.proto) and refuses the whole configuration on an unknown field: no flow would be logged. Use the proto field names (source_pod, destination_ip, verdict...) or their JSON names (sourcePod...).",
      source: "cilium/cilium api/v1/flow/flow.proto (message FlowFilter)",
    },
  ] as const,
  profileRules: [
    {
      code: "FLOW_LOG_EXPORT_TWICE",
      check: (p) => {
        const flowLogs = p.features.flowLogs;
        if (typeof flowLogs !== "object" || flowLogs.exports === undefined) return [];
        const names = flowLogs.exports.map((e) => e.name);
        return names.flatMap((name, i) =>
          names.indexOf(name) < i ? [{ pointer: `/features/flowLogs/exports/${i}/name`, message: `export "${name}" is named twice: both would write /var/run/cilium/hubble/${name}.log; give each export its own name` }] : [],
        );
      },
    },
    {
      code: "FLOW_FILTER_UNKNOWN_FIELD",
      check: (p) => {
        const flowLogs = (p.features as { flowLogs?: unknown }).flowLogs;
        if (flowLogs === null || typeof flowLogs !== "object") return [];
        const exports = ((flowLogs as { exports?: { include?: object[]; exclude?: object[] }[] }).exports ?? []);
        return exports.flatMap((e, i) =>
          (["include", "exclude"] as const).flatMap((side) =>
            (e[side] ?? []).flatMap((filter, j) =>
              Object.keys(filter)
                .filter((key) => !FLOW_FILTER_KEYS.has(key))
                .map((key) => {
                  const guess = nearest(key, [...FLOW_FILTER_KEYS]);
                  return {
                    pointer: `/features/flowLogs/exports/${i}/${side}/${j}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`,
                    atKey: true,
                    message: `${JSON.stringify(key.slice(0, 60))} is not a field of Hubble's FlowFilter${guess ? `; did you mean "${guess}"?` : ""}: the exporter would refuse its whole configuration`,
                    ...(guess ? { suggestion: guess } : {}),
                  };
                }),
            ),
          ),
        );
      },
    },
  ],

  examples: [
    { code: "FLOW_LOG_EXPORT_TWICE", fires: { features: { flowLogs: { exports: [{ name: "all" }, { name: "all", include: [{ verdict: ["DROPPED"] }] }] } } },
      pointer: "/features/flowLogs/exports/1/name",
      quiet: { features: { flowLogs: { exports: [{ name: "all" }, { name: "dropped", include: [{ verdict: ["DROPPED"] }] }] } } } },
    { code: "FLOW_FILTER_UNKNOWN_FIELD", fires: { features: { flowLogs: { exports: [{ name: "drops", include: [{ verdict: ["DROPPED"], source_podd: ["kube-system/"] }] }] } } },
      pointer: "/features/flowLogs/exports/0/include/0/source_podd",
      quiet: { features: { flowLogs: { exports: [{ name: "drops", include: [{ verdict: ["DROPPED"], source_pod: ["kube-system/"] }, { destinationIp: ["10.0.0.0/8"] }] }] } } } },
  ],
  leftovers: [{ resource: `${FLOW_LOGS.logConfigCrd}`, namespace: null, crd: FLOW_LOGS.logConfigCrd }],
  resolve: (p) => {
    const asked = p.features.flowLogs;
    if (asked === false) return null;
    const cls = typeof asked === "object" ? (asked.cls ?? null) : null;
    const logConfig: LogConfig | null =
      cls === null
        ? null
        : {
            file: BUNDLE_FILES.clsLogConfig,
            name: FLOW_LOGS.logConfigName,
            crd: FLOW_LOGS.logConfigCrd,
            region: (cls.region as string | undefined) ?? p.region,
            logset: cls.logset,
            topic: cls.topic,
            dir: FLOW_LOGS.dir,
          };
    return { exports: flowLogExports(p), logConfig };
  },
  values: (s) => ({
    features: [
      entry("hubble.export.dynamic.enabled", true),
      entry("hubble.export.dynamic.config.content", s.exports),
      entry("hubble.redact.enabled", true),
      entry("hubble.redact.http.urlQuery", true),
      entry("hubble.redact.http.userInfo", true),
    ],
  }),
  files: (s, context) => (s.logConfig === null ? [] : logConfigFile(s.logConfig, context)),
  delivery: (s) =>
    s.logConfig === null ? {} : { manifests: [{ file: s.logConfig.file, phase: "after-chart", what: "TKE log collection of the flow log files into CLS (needs the cluster's log collection on)" }] },
  plan: ({ logConfig: c }): PlanStep[] =>
    c === null
      ? []
      : [
          { kind: "require-crd", id: "flow-logs/log-config-crd", phase: "requirements", crd: c.crd, hint: `turn on the cluster's log collection (console: Monitor & Alert > Log) first (${c.file} needs it)` },
          {
            kind: "apply",
            id: "flow-logs/log-config",
            phase: "after-chart",
            title: "Collect the flow logs into CLS",
            file: c.file,
            serverSide: false,
            established: [],
            undo: { kind: "commands", phase: "before-chart-removal", title: "Stop collecting the flow logs into CLS", script: { template: removeLogConfig, words: { crd: c.crd, file: c.file } }, needsBundleFiles: true },
          },
        ],
});

function logConfigFile(c: LogConfig, { header, afterChart }: FilesContext): OutputFile[] {
  const logConfig = {
    apiVersion: "cls.cloud.tencent.com/v1",
    kind: "LogConfig",
    metadata: phasedMetadata({ name: c.name, labels: addonLabels("flow-logs") }, afterChart),
    spec: {
      clsDetail: {
        region: c.region,
        logsetName: c.logset,
        topicName: c.topic,
        extractRule: { ...FLOW_LOG_EXTRACT_RULE },
        indexStatus: "on",
        indexs: FLOW_LOG_INDEXES.map(([indexName, type]) =>
          type === "plain" ? { indexName } : type === "long" ? { indexName, indexType: "long" } : { indexName, indexType: "text", tokenizer: FLOW_LOG_TOKENIZER, containZH: false },
        ),
        autoIndex: "true",
        logFormat: "default",
        logType: "json_log",
        maxSplitPartitions: 0,
        period: 30,
        storageType: "",
      },
      inputDetail: {
        type: "container_file",
        containerFile: {
          namespace: CILIUM_NAMESPACE,
          workload: { kind: "daemonset", name: "cilium" },
          container: "cilium-agent",
          filePaths: [{ file: "*.log", path: c.dir }],
          metadataContainer: [...FLOW_LOG_CONTAINER_METADATA],
          metadataLabels: ["__NULL__"],
          nodeMetadataLabels: ["__NULL__"],
        },
      },
    },
  };
  return [
    file(
      c.file,
      manifestsToYaml(
        header(`TKE log collection: ships the flow log files to CLS (logset ${c.logset}, topic ${c.topic}, created when missing). install.sh applies it; the cluster's log collection must be on.`),
        [logConfig],
      ),
    ),
  ];
}
