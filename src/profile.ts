import type { TkeCiliumProfile } from "./generated/profile.js";

export type Profile = TkeCiliumProfile;

/** Fields that have no schema default because their absence means something (a Terraform variable, "unknown"...). */
type Optional = "name" | "id" | "vpcId" | "serviceCidr" | "eniSubnetIds" | "intranetSubnetId" | "maxNodes" | "registry" | "instanceTypes" | "scaleTuning" | "masquerade" | "startupTaint" | "clusterMesh" | "subnetId" | "exports" | "include" | "exclude" | "fieldMask" | "cls" | "egress" | "destination" | "kubeDnsIP" | "eniAgentVersion" | "$schema" | "extends";

type Filled<T> = T extends readonly (infer U)[]
  ? Filled<U>[]
  : T extends object
    ? { [K in keyof T as K extends Optional ? never : K]-?: Filled<T[K]> } & {
        [K in keyof T as K extends Optional ? K : never]?: Filled<T[K]>;
      }
    : T;

/** A schema-valid profile after validate.ts filled in every schema default. */
export type FilledProfile = Filled<Profile>;
