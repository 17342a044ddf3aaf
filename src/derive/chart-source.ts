import { CILIUM_HELM_REPO, INSTALL_HELM_REPO_NAME, OCI_SCHEME } from "../knowledge/chart.js";
import type { FilledProfile } from "../profile.js";
import type { ChartSource } from "../settings.js";

/**
 * Where the chart comes from, for install.sh and the engines alike: "cilium/<chart>" through the Helm
 * repository of cilium.chartRepository (upstream, an HTTP mirror, or an OCI registry such as TCR, where helm
 * takes the chart as oci://<registry>/<namespace>/<chart>); another reference as written; a .tgz is a local file.
 */
export function deriveChartSource(p: FilledProfile): ChartSource {
  const chart = p.cilium.chart;
  if (chart.endsWith(".tgz")) return { kind: "local", name: chart, repository: null, reference: chart };
  if (!chart.startsWith(`${CILIUM_HELM_REPO.name}/`)) return { kind: "other", name: chart, repository: null, reference: chart };
  const name = chart.slice(CILIUM_HELM_REPO.name.length + 1);
  const repository = p.cilium.chartRepository;
  if (repository.startsWith(OCI_SCHEME)) return { kind: "oci", name, repository: repository.replace(/\/+$/, ""), reference: `${repository.replace(/\/+$/, "")}/${name}` };
  // install.sh adds the repository under the tool's own name (never the user's "cilium" entry)
  return { kind: "http", name, repository, reference: `${INSTALL_HELM_REPO_NAME}/${name}` };
}
