/**
 * Node post-init script of seed 002: adds quay.io -> quay.tencentcloudcr.com as a containerd registry mirror
 * (for nodes without internet, or in mainland China) and restarts containerd. The provider takes it base64-encoded.
 */
export const CONTAINERD_MIRROR_SCRIPT = [
  `sed -i '/\\[plugins\\."io.containerd.grpc.v1.cri"\\.registry\\.mirrors\\]/ a\\\\ \\ \\ \\ \\ \\ \\ \\ [plugins."io.containerd.grpc.v1.cri".registry.mirrors."quay.io"]\\n\\ \\ \\ \\ \\ \\ \\ \\ \\ \\ endpoint = ["https://quay.tencentcloudcr.com"]' /etc/containerd/config.toml`,
  "systemctl restart containerd",
  "",
].join("\n");
