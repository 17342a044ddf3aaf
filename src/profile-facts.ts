import { readSideFile, writeSideFile } from "./bundle-index.js";

/**
 * What `check --staged` needs of a profile it does not check: its name field (a bundle no profile renders is
 * an orphan; a staged bundle file re-checks its profile) and whether its text can concern other profiles (it
 * extends a base, or mentions clusterMesh). Both follow from the file's bytes alone, so they are kept by git
 * object id in the index folder (bundle-index.ts): a commit reads the blobs it changes, not the fleet's.
 * A file whose checksum, format or build does not match is not used, nor one git tracks (the checksum is no
 * secret: a commit could carry a crafted file, and names are what tell an orphan).
 */
export interface ProfileFacts {
  /** The top-level name field when it is a string; else null (the file name stands for it). */
  name: string | null;
  /** It extends a base or mentions clusterMesh: read it whole. */
  related: boolean;
}

const FORMAT = 1;
const FILE = "profile-facts.json";
/** Entries beyond this are dropped (the ones this run used are kept). */
const MAX_FACTS = 200_000;

type Stored = [string | null, 0 | 1];


export interface FactsCache {
  get(oid: string): ProfileFacts | undefined;
  set(oid: string, facts: ProfileFacts): void;
  save(): void;
}

/** The facts of repository `root`; `trusted` false (the folder is tracked by git: a commit could have planted it) uses none. */
export function openFactsCache(root: string, trusted: boolean): FactsCache {
  const disabled = Boolean(process.env.TKE_CILIUM_NO_CACHE) || !trusted;
  const stored = (disabled ? null : (readSideFile(root, FILE, FORMAT) as Record<string, Stored> | null)) ?? {};
  const used = new Map<string, Stored>();
  let added = false;
  return {
    get(oid) {
      const found = used.get(oid) ?? (Object.hasOwn(stored, oid) ? stored[oid] : undefined);
      if (!Array.isArray(found) || !(typeof found[0] === "string" || found[0] === null) || !(found[1] === 0 || found[1] === 1)) return undefined;
      used.set(oid, found);
      return { name: found[0], related: found[1] === 1 };
    },
    set(oid, facts) {
      used.set(oid, [facts.name, facts.related ? 1 : 0]);
      added = true;
    },
    save() {
      if (!added || disabled) return;
      const old = Object.keys(stored).length + used.size > MAX_FACTS ? {} : stored;
      writeSideFile(root, FILE, FORMAT, { ...old, ...Object.fromEntries(used) });
    },
  };
}
