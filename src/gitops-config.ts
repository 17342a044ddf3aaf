// A type alone, apart from config.ts (which reads the disk), so Settings can name it without importing the reader.

/** The GitOps engine settings of tke-cilium.json, defaults applied (schema/config.schema.json). */
export type GitopsConfig =
  | { engine: "argocd"; namespace: string; repoURL: string; revision: string; project: string; destination: string | null }
  | { engine: "flux"; namespace: string; gitRepository: string; interval: string };
