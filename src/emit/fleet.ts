import { CONFIG_FILE, type GitopsConfig } from "../config.js";
import { ARGOCD_APPLICATIONSET_API, ARGOCD_AUTOMATED, ARGOCD_IN_CLUSTER, FLEET_FILES, GITOPS_FILES } from "../knowledge/gitops.js";
import { GENERATED_BY } from "../knowledge/bundle.js";
import { bundlePathInRepo } from "../derive/gitops.js";
import { manifestsToYaml } from "../text/yaml.js";
import { file, type OutputFile } from "./output.js";

type ArgoCdConfig = Extract<GitopsConfig, { engine: "argocd" }>;

/**
 * The fleet as one object: an Argo CD ApplicationSet whose git files generator finds every bundle's
 * argocd-application.yaml under the out folder and makes one Application per bundle that applies it (app of
 * apps). A profile added and rendered reaches its cluster with no other file written. Its path is relative to
 * the out folder; it depends on tke-cilium.json alone.
 */
export function emitFleet(config: GitopsConfig, outPath: string): OutputFile[] {
  if (config.engine !== "argocd") return [];
  return [file(FLEET_FILES.applicationSet, applicationSetYaml(config, outPath))];
}

/** The paths emitFleet writes in out/, without making their text (check --staged lists them ahead). */
export const fleetFilePaths = (config: GitopsConfig): string[] => (config.engine === "argocd" ? [FLEET_FILES.applicationSet] : []);

function applicationSetYaml(config: ArgoCdConfig, outPath: string): string {
  const bundles = bundlePathInRepo(outPath, "*");
  const applicationSet = {
    apiVersion: ARGOCD_APPLICATIONSET_API.apiVersion,
    kind: ARGOCD_APPLICATIONSET_API.kind,
    metadata: { name: FLEET_FILES.applicationSetName, namespace: config.namespace },
    spec: {
      goTemplate: true,
      goTemplateOptions: ["missingkey=error"],
      generators: [{ git: { repoURL: config.repoURL, revision: config.revision, files: [{ path: `${bundles}/${GITOPS_FILES.argocdApplication}` }] } }],
      syncPolicy: { applicationsSync: "create-update", preserveResourcesOnDeletion: true },
      template: {
        metadata: { name: `${FLEET_FILES.bundleAppPrefix}{{ .path.basename }}` },
        spec: {
          project: config.project,
          source: { repoURL: config.repoURL, targetRevision: config.revision, path: "{{ .path.path }}", directory: { include: GITOPS_FILES.argocdApplication } },
          destination: { server: ARGOCD_IN_CLUSTER, namespace: config.namespace },
          syncPolicy: { automated: ARGOCD_AUTOMATED },
        },
      },
    },
  };
  const comments = new Map([
    ["0:spec.generators", "every bundle folder with an Argo CD Application: a profile added and rendered is found here, no other file to write"],
    ["0:spec.syncPolicy", "never deletes an Application (a deleted bundle must not uninstall the CNI of a running cluster)"],
    ["0:spec.template", "one Application per bundle that applies the bundle's own Application (cilium-<name>) to Argo CD"],
  ]);
  const header = [`${GENERATED_BY}${CONFIG_FILE}. Do not edit: change ${CONFIG_FILE} and run \`tke-cilium render\`.`, "Argo CD ApplicationSet: the whole fleet. Apply it to Argo CD's cluster once; each cluster joins when its bundle is committed (after install.sh has prepared it)."];
  return manifestsToYaml(header, [applicationSet], comments);
}
