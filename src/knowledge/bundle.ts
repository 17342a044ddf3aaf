/** The file names of a bundle in out/<name>/ (SPEC §3): derive points install.sh at them, emitters write them. */
export const VALUES_FILES = {
  tke: "tke-values.yaml",
  images: "image-values.yaml",
  features: "features-values.yaml",
} as const;

export const BUNDLE_FILES = {
  cniConfig: "cni-config.yaml",
  apf: "cilium-apf.yaml",
  nodePool: "nodepool.yaml",
  images: "images.txt",
  delivery: "bundle.json",
  install: "install.sh",
  uninstall: "uninstall.sh",
} as const;

/** The Terraform roots: the cluster first, the node pool after Cilium (each with its own state). */
export const TERRAFORM_DIRS = { cluster: "terraform", nodePool: "terraform/nodepool" } as const;

/** The files of a Terraform root, in the order they are written. */
export const TERRAFORM_FILES = { versions: "versions.tf", main: "main.tf", variables: "variables.tf", outputs: "outputs.tf" } as const;

/**
 * Files of the user's that live in a bundle folder: Terraform's working files under terraform/ (variable
 * values, state and its backups, the provider cache and lock file). render carries them into the new
 * bundle, and check does not count them as drift. Paths are relative to out/<name>/, forward slashes.
 */
export function isUserFile(path: string): boolean {
  const parts = path.split("/");
  if (parts[0] !== "terraform") return false;
  const base = parts[parts.length - 1];
  return (
    parts.includes(".terraform") ||
    base === ".terraform.lock.hcl" ||
    /\.tfvars(\.json)?$/.test(base) ||
    /\.tfstate(\.backup|\.\d+\.backup)?$/.test(base) ||
    base === ".terraform.tfstate.lock.info"
  );
}
