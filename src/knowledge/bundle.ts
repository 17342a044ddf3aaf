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
  install: "install.sh",
  uninstall: "uninstall.sh",
} as const;

/** The Terraform roots: the cluster first, the node pool after Cilium (each with its own state). */
export const TERRAFORM_DIRS = { cluster: "terraform", nodePool: "terraform/nodepool" } as const;

/** The files of a Terraform root, in the order they are written. */
export const TERRAFORM_FILES = { versions: "versions.tf", main: "main.tf", variables: "variables.tf", outputs: "outputs.tf" } as const;
