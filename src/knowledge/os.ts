/**
 * Node operating systems. VERIFIED: the guide's verified-OS appendix (Cilium 1.19.5, all three install modes).
 * UNSUPPORTED: OsName prefixes whose kernels are older than 5.10, Cilium's minimum.
 */
export interface VerifiedOs {
  osName: string;
  label: string;
  kernel: string;
}

export const VERIFIED_OS: readonly VerifiedOs[] = [
  { osName: "tlinux4_x86_64_public", label: "TencentOS Server 4", kernel: "6.6.117" },
  { osName: "ubuntu24.04x86_64", label: "Ubuntu 24.04", kernel: "6.8.0" },
  { osName: "ubuntu22.04x86_64", label: "Ubuntu 22.04", kernel: "5.15.0" },
  { osName: "debian12.8x86_64", label: "Debian 12 (bookworm)", kernel: "6.1.0" },
  { osName: "debian11.11x86_64", label: "Debian 11 (bullseye)", kernel: "5.10.0" },
  { osName: "opencloudos9.0x86_64", label: "OpenCloudOS 9.4", kernel: "6.6.119" },
  { osName: "rockylinux9.3x86_64", label: "Rocky Linux 9.3", kernel: "5.14.0" },
  { osName: "redhat9.5x86_64", label: "RedHat 9.5", kernel: "5.14.0" },
];

export const UNSUPPORTED_OS: readonly { prefix: string; why: string }[] = [
  { prefix: "tlinux3", why: "TencentOS Server 3.x ships a kernel older than 5.10" },
  { prefix: "tlinux2", why: "TencentOS Server 2.x ships a kernel older than 5.10" },
  { prefix: "ubuntu20.04", why: "Ubuntu 20.04 ships a 5.4 kernel" },
  { prefix: "ubuntu18.04", why: "Ubuntu 18.04 ships a 4.15 kernel" },
  { prefix: "centos7", why: "CentOS 7 ships a 3.10 kernel" },
  { prefix: "centos8", why: "CentOS 8 ships a 4.18 kernel" },
];

export function findVerifiedOs(osName: string): VerifiedOs | undefined {
  return VERIFIED_OS.find((os) => os.osName === osName);
}

export function findUnsupportedOs(osName: string): { prefix: string; why: string } | undefined {
  return UNSUPPORTED_OS.find((os) => osName.startsWith(os.prefix));
}
