import { mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import type { OutputFile } from "./emit/index.js";
import { isUserFile } from "./knowledge/bundle.js";
import { UnsafeOutputError } from "./store-errors.js";
import { lstatOrNull } from "./fs-stat.js";

/**
 * A bundle's terraform/ folder is where `terraform init` and `terraform apply` run: its state, providers and
 * lock file are the user's, and a terraform process may be writing there while render runs. So the folder
 * itself (its inode, a running terraform's working directory) is never replaced or deleted: replaceTree moves
 * it whole into the new bundle and swaps the tool's own files inside it one by one (each atomically), and a
 * folder holding a state lock is not touched at all.
 */
export const TERRAFORM_DIR = "terraform";
/** Where the tool's new terraform files wait inside the staging folder until the old folder is moved in. */
export const TERRAFORM_STAGING = ".terraform-files";
const LOCK_INFO = ".terraform.tfstate.lock.info";


/** Why bundle folder `folder` may not be written: its terraform/ holds a state lock (a terraform command runs there, or died). */
export function terraformLockProblem(folder: string): string | null {
  const lock = join(folder, TERRAFORM_DIR, LOCK_INFO);
  return lstatOrNull(lock) === null
    ? null
    : `${lock} exists: a terraform command is running in ${join(folder, TERRAFORM_DIR)} (or died holding the state lock); nothing of this bundle was written. Wait for it to finish (or run terraform force-unlock), then render again`;
}

/** Does bundle folder `target` have a terraform/ folder to carry (a real directory)? */
export function hasTerraformFolder(target: string): boolean {
  return lstatOrNull(join(target, TERRAFORM_DIR))?.isDirectory() === true;
}

/**
 * Move the live terraform/ folder of `target` into `staging`, then put the tool's new files (waiting in
 * staging/TERRAFORM_STAGING) in place over the old ones, each by one rename, and drop the tool's files the
 * bundle no longer has. The user's files (state, .terraform/, lock, tfvars) are never touched.
 */
export function adoptTerraformFolder(target: string, staging: string, files: readonly OutputFile[], rename: (from: string, to: string) => void): void {
  const problem = terraformLockProblem(target);
  if (problem !== null) throw new UnsafeOutputError(problem);
  const live = join(staging, TERRAFORM_DIR);
  rename(join(target, TERRAFORM_DIR), live);
  const wanted = new Set<string>();
  for (const f of files) {
    if (!f.path.startsWith(`${TERRAFORM_DIR}/`)) continue;
    const rel = f.path.slice(TERRAFORM_DIR.length + 1);
    wanted.add(rel);
    mkdirSync(dirname(join(live, rel)), { recursive: true });
    rename(join(staging, TERRAFORM_STAGING, rel), join(live, rel));
  }
  rmSync(join(staging, TERRAFORM_STAGING), { recursive: true, force: true });
  // what the old bundle had and this one has not: the tool's files only (the caller refused or pruned the rest)
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(live, sub), { withFileTypes: true })) {
      const rel = sub === "" ? entry.name : `${sub}/${entry.name}`;
      if (isUserFile(`${TERRAFORM_DIR}/${rel}`) || wanted.has(rel)) continue;
      if (entry.isDirectory()) walk(rel);
      else rmSync(join(live, rel), { force: true });
    }
  };
  walk("");
}

/** Put back a terraform/ folder that an interrupted run left in `leftover` (a staging or retired folder) when `target` has none. */
export function rescueTerraformFolder(leftover: string, target: string): void {
  if (!hasTerraformFolder(leftover) || lstatOrNull(target) === null || lstatOrNull(join(target, TERRAFORM_DIR)) !== null) return;
  renameSync(join(leftover, TERRAFORM_DIR), join(target, TERRAFORM_DIR));
}

/**
 * A staging folder an interrupted run had already moved the live terraform/ folder into holds the whole new
 * bundle (adoption starts once every other file is written): the tool's staged Terraform files still waiting
 * go into that terraform/ folder, so the staging folder can be swapped in (recoverInterrupted rolls forward).
 */
export function finishTerraformAdoption(staging: string): void {
  const staged = join(staging, TERRAFORM_STAGING);
  if (lstatOrNull(staged)?.isDirectory() === true) {
    const move = (sub: string) => {
      for (const entry of readdirSync(join(staged, sub), { withFileTypes: true })) {
        const rel = sub === "" ? entry.name : `${sub}/${entry.name}`;
        if (entry.isDirectory()) move(rel);
        else {
          mkdirSync(dirname(join(staging, TERRAFORM_DIR, rel)), { recursive: true });
          renameSync(join(staged, rel), join(staging, TERRAFORM_DIR, rel));
        }
      }
    };
    move("");
    rmSync(staged, { recursive: true, force: true });
  }
}
