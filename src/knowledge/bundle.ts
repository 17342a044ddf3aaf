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
  terraformVersions: "terraform/versions.tf",
  terraformMain: "terraform/main.tf",
  terraformVariables: "terraform/variables.tf",
} as const;
