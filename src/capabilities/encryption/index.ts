import ipsecSecret from "./ipsec-secret.sh.hbs?raw";
import removeIpsecSecret from "./remove-ipsec-secret.sh.hbs?raw";
import { IPSEC_SECRET, WIREGUARD_OS_PREFIXES, WIREGUARD_OS_TEXT } from "../../knowledge/addons.js";
import { WHY_VARIANT } from "../../knowledge/why.js";
import { ADDON_LABEL, MANAGED_BY_LABEL } from "../../knowledge/bundle.js";
import { CILIUM_NAMESPACE } from "../../knowledge/tke.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { defineCapability } from "../capability.js";

/** features.encryption: WireGuard, or IPsec with its key Secret created once by install.sh. */
export const encryption = defineCapability({
  id: "encryption",
  kind: "add-on",
  summary: "transparent encryption between nodes: WireGuard, or IPsec (its key Secret created once)",
  fields: ["/features/encryption"],
  codes: [
    {
      code: "WIREGUARD_MODULE_UNVERIFIED",
      stage: "profile",
      severity: "warning",
      title: "WireGuard needs a kernel with the wireguard module",
      explanation:
        "Cilium's WireGuard encryption loads the wireguard kernel module on every node. The guide knows TencentOS Server 4 carries it (native and Karpenter pools of this bundle boot TencentOS 4); on any other image, check that the module loads before turning encryption on, or cilium-agent fails to start.",
      source: "guide: encryption.md",
    },
  ] as const,
  profileRules: [
    {
      code: "WIREGUARD_MODULE_UNVERIFIED",
      check: (p) => {
        if (p.features.encryption !== "wireguard") return [];
        // native and Karpenter pools boot TencentOS 4 (the image annotation); a regular pool boots nodePool.os
        if (p.nodePool.type !== "regular" || WIREGUARD_OS_PREFIXES.some((prefix) => p.nodePool.os.startsWith(prefix))) return [];
        return [{ pointer: "/nodePool/os", message: `WireGuard needs the wireguard kernel module; the guide knows ${WIREGUARD_OS_TEXT} carries it, ${p.nodePool.os} is unverified: check lsmod | grep wireguard on a node` }];
      },
    },
  ],

  examples: [
    { code: "WIREGUARD_MODULE_UNVERIFIED", fires: { nodePool: { type: "regular", os: "ubuntu22.04x86_64" }, features: { encryption: "wireguard" } },
      pointer: "/nodePool/os",
      quiet: { nodePool: { type: "regular", os: "tlinux4_x86_64_public" }, features: { encryption: "wireguard" } } },
  ],
  // the IPsec key Secret install.sh created (labelled): Cilium no longer reads it once encryption is off
  leftovers: [{ resource: "secrets", namespace: CILIUM_NAMESPACE, crd: null }],
  resolve: (p) => (p.features.encryption === "none" ? null : { type: p.features.encryption, ipsecSecret: p.features.encryption === "ipsec" ? IPSEC_SECRET : null }),
  values: (s) => ({
    features: [entry("encryption.enabled", true), s.type === "ipsec" ? entry("encryption.type", "ipsec", WHY_VARIANT["encryption.type.ipsec"]) : entry("encryption.type", "wireguard")],
  }),
  plan: (s) =>
    s.ipsecSecret === null
      ? []
      : [
          {
            kind: "run",
            id: "encryption/ipsec-secret",
            phase: "secrets",
            script: { template: ipsecSecret, words: { secret: s.ipsecSecret, managedBy: `${MANAGED_BY_LABEL.key}=${MANAGED_BY_LABEL.value}`, addon: `${ADDON_LABEL}=encryption` } },
            need: [],
            undo: {
              kind: "commands",
              phase: "after-chart-removal",
              title: "Delete the IPsec key Secret",
              script: { template: removeIpsecSecret, words: { secret: s.ipsecSecret } },
              needsBundleFiles: false,
            },
          },
        ],
});
