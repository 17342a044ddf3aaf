import { addonSelector } from "../knowledge/bundle.js";
import { memo } from "../memo.js";
import { checkedShellValue, sh, shellWord } from "../text/shell.js";
import { orderPlan, UNDO_PHASES, isMutating, READ_ONLY_PHASES, type PlanStep, type Snippet, type Undo, type Word } from "./step.js";

/**
 * The one emitter from plan to bash: install.sh's body (every step after the tool check, in phase order) and
 * uninstall.sh's (the undos, by undo phase, then in registry order). Words are shell-quoted here, once.
 */

/** Text inside a double-quoted bash string: refuses what bash would expand or end the string at. */
export function text(value: string): string {
  if (/["$`\\\n]/.test(value)) throw new Error(`bug: ${JSON.stringify(value)} cannot go inside a double-quoted bash string unquoted`);
  return value;
}

/** A word as one shell word: a profile value after its pattern check, a constant as it is; single-quoted. */
const word = (w: Word): string => (typeof w === "string" ? sh(w) : shellWord(w.kind, w.value));
const plain = (w: Word): string => text(typeof w === "string" ? w : checkedShellValue(w.kind, w.value));

/**
 * A fleet's plans hold few distinct fragments (the same few steps with the same values): each fragment
 * with its values is written once per run and then reused, keyed by its template and its values as given (the
 * same values pass the same pattern checks), and its extra text (the decision's first-install checks). Up to
 * SNIPPETS_KEPT are kept; then the memo starts afresh.
 */
export function renderSnippet(s: Snippet, extra: Record<string, string> = {}): string {
  if (snippetCount >= SNIPPETS_KEPT) {
    snippets.clear();
    snippetCount = 0;
  }
  let byValues = snippets.get(s.template);
  if (byValues === undefined) snippets.set(s.template, (byValues = new Map()));
  const key = snippetKey(s, extra);
  let out = byValues.get(key);
  if (out === undefined) {
    byValues.set(key, (out = writeSnippet(s, extra)));
    snippetCount++;
  }
  return out;
}

const SNIPPETS_KEPT = 2_000;
const snippets = new Map<string, Map<string, string>>();
let snippetCount = 0;

/**
 * The values of a fragment and its extra text as one string, unambiguously (JSON): the same values in the same
 * order, the same key. A fragment without values (most are constant) is keyed "" without writing JSON.
 */
function snippetKey(s: Snippet, extra: Record<string, string>): string {
  const hasExtra = Object.keys(extra).length > 0;
  if (s.words === undefined && s.texts === undefined && s.lists === undefined && !hasExtra) return "";
  return JSON.stringify([s.words ?? null, s.texts ?? null, s.lists ?? null, hasExtra ? extra : null]);
}

function writeSnippet(s: Snippet, extra: Record<string, string>): string {
  const view: Record<string, string | string[]> = { ...extra };
  for (const [k, v] of Object.entries(s.words ?? {})) view[k] = word(v);
  for (const [k, v] of Object.entries(s.texts ?? {})) view[k] = plain(v);
  for (const [k, v] of Object.entries(s.lists ?? {})) view[k] = v.map(word);
  const out = fill(s.template, view);
  return out.endsWith("\n") ? out.slice(0, -1) : out;
}

/** A fragment cut once into literal text and the names it fills; a loop is a part of its own. */
type Part = string | { name: string } | { list: string; body: Part[] };

const compiled = new Map<string, Part[]>();

function compile(template: string): Part[] {
  const parts: Part[] = [];
  const names = (text: string, into: Part[]) => {
    let last = 0;
    for (const m of text.matchAll(/\{\{(\.\.\/)?(\w+)\}\}/g)) {
      into.push(text.slice(last, m.index), { name: m[2] });
      last = m.index + m[0].length;
    }
    into.push(text.slice(last));
  };
  let last = 0;
  for (const m of template.matchAll(/^\{\{#each (\w+)\}\}\n([\s\S]*?)^\{\{\/each\}\}\n/gm)) {
    names(template.slice(last, m.index), parts);
    const body: Part[] = [];
    names(m[2], body);
    parts.push({ list: m[1], body });
    last = m.index + m[0].length;
  }
  names(template.slice(last), parts);
  const unknown = [parts, ...parts.flatMap((p) => (typeof p === "object" && "body" in p ? [p.body] : []))].flat().find((p) => typeof p === "string" && p.includes("{{"));
  if (unknown !== undefined) throw new Error(`bug: a plan fragment uses a Handlebars form fill() does not know: ${JSON.stringify(unknown).slice(0, 120)}`);
  return parts;
}

/**
 * The few Handlebars forms the fragments use, filled without its runtime (a render fills some twenty fragments
 * per bundle): {{name}}, and {{#each list}} ... {{/each}} on lines of their own with {{this}} and {{../name}}.
 * A name the view does not have is a bug, as with Handlebars' strict mode.
 */
export function fill(template: string, view: Readonly<Record<string, string | readonly string[]>>): string {
  let parts = compiled.get(template);
  if (parts === undefined) compiled.set(template, (parts = compile(template)));
  const value = (name: string): string => {
    const v = view[name];
    if (typeof v !== "string") throw new Error(`bug: the plan fragment needs {{${name}}}`);
    return v;
  };
  let out = "";
  for (const part of parts) {
    if (typeof part === "string") out += part;
    else if ("name" in part) out += value(part.name);
    else {
      const items = view[part.list];
      if (!Array.isArray(items)) throw new Error(`bug: the plan fragment needs the list {{${part.list}}}`);
      for (const item of items) for (const p of part.body) out += typeof p === "string" ? p : "name" in p ? (p.name === "this" ? item : value(p.name)) : "";
    }
  }
  return out;
}

const indent = (block: string, by: string) => block.split("\n").map((l) => (l === "" ? l : by + l)).join("\n");

function renderInstallStep(step: PlanStep, plan: readonly PlanStep[]): string {
  switch (step.kind) {
    case "check":
      return renderSnippet(step.script);
    case "require-crd":
      return `kubectl get crd ${sh(step.crd)} -o name >/dev/null 2>&1 ||\n  die "CRD ${text(step.crd)} not found: ${text(step.hint)}"`;
    case "decide": {
      const first = plan.filter((s) => s.kind === "check" && s.when === "first-install").map((s) => indent(renderInstallStep({ ...s, when: "always" } as PlanStep, plan), "  ") + "\n");
      return renderSnippet(step.script, { firstInstall: first.join("") });
    }
    case "apply":
      return (
        `step "${text(step.title)}"\nrun kubectl apply ${step.serverSide ? "--server-side --force-conflicts " : ""}-f "$HERE"/${shellWord("bundlePath", step.file)}` +
        (step.established?.length ? `\nrun kubectl wait --for=condition=Established --timeout=2m ${step.established.map((c) => sh(`crd/${c}`)).join(" ")}` : "")
      );
    case "patch": {
      const [key, value] = Object.entries(step.nodeSelector)[0];
      const patch = sh(JSON.stringify({ spec: { template: { spec: { nodeSelector: { [key]: value } } } } }));
      const selectorPath = sh(`{.spec.template.spec.nodeSelector.${key}}`);
      const lines = [`step "${text(step.title)}"`];
      for (const d of step.daemonSets) {
        lines.push(
          `if daemonset_exists ${sh(d.name)}; then`,
          `  switched_off="$(kubectl -n kube-system get daemonset ${sh(d.name)} -o jsonpath=${selectorPath})"`,
          `  if [ -z "$switched_off" ]; then`,
          `    run kubectl -n kube-system patch daemonset ${sh(d.name)} -p ${patch}`,
          `  fi`,
          ...(d.optional ? [] : ["else", `  warn "daemonset kube-system/${text(d.name)} not found; nothing to switch off"`]),
          "fi",
        );
      }
      return lines.join("\n");
    }
    case "delete":
      return [
        `step "${text(step.title)}"`,
        `if kubectl get ${text(step.resource)} ${sh(step.name)} -o name >/dev/null 2>&1; then`,
        `  run kubectl delete ${text(step.resource)} ${sh(step.name)}`,
        "fi",
      ].join("\n");
    case "run":
      return renderSnippet(step.script);
    case "helm":
      return releaseBlock("helm", step, plan);
    case "prove-chart":
      return releaseBlock("proof", helmStepOf(plan), plan);
    case "say":
      return `printf '  - %s\\n' ${sh(step.text)}`;
    case "prune":
      return renderPrune(step);
  }
}

/**
 * Each add-on that is off: its labelled objects, found and deleted by the same selector, in its order (the
 * built-in kinds of one namespace in one call; a kind whose CRD is absent holds none); its note once
 * something of it went.
 */
function renderPrune(step: Extract<PlanStep, { kind: "prune" }>): string {
  // one step per set of add-ons off (capabilityLeftovers), so one block each, written on first use
  let block = prunes.get(step);
  if (block === undefined) prunes.set(step, (block = writePrune(step)));
  return block;
}

const prunes = new WeakMap<Extract<PlanStep, { kind: "prune" }>, string>();

function writePrune(step: Extract<PlanStep, { kind: "prune" }>): string {
  const lines = ['step "Remove what add-ons now off left behind (only objects labelled as theirs)"'];
  for (const addon of step.addons) lines.push(...pruneLines(addon));
  return lines.join("\n");
}

type PrunedAddon = Extract<PlanStep, { kind: "prune" }>["addons"][number];

function pruneLines(addon: PrunedAddon): string[] {
  const lines: string[] = [];
  const selector = sh(addonSelector(addon.id));
  const noted = addon.note !== null;
  if (noted) lines.push(`removed=""`);
  const groups: { resources: string[]; namespace: string | null; crd: string | null }[] = [];
  for (const o of addon.objects) {
    const last = groups.at(-1);
    if (o.crd === null && last !== undefined && last.crd === null && last.namespace === o.namespace) last.resources.push(o.resource);
    else groups.push({ resources: [o.resource], namespace: o.namespace, crd: o.crd });
  }
  for (const g of groups) {
    const ns = g.namespace === null ? "" : `-n ${sh(g.namespace)} `;
    const kinds = sh(g.resources.join(","));
    const body = [
      `found="$(kubectl ${ns}get ${kinds} -l ${selector} -o name)"`,
      'if [ -n "$found" ]; then',
      `  note "${text(addon.id)} is off: deleting ${"$"}{found//$'\\n'/ }"`,
      `  run kubectl ${ns}delete ${kinds} -l ${selector}`,
      ...(noted ? ["  removed=yes"] : []),
      "fi",
    ];
    if (g.crd === null) lines.push(...body);
    else lines.push(`if kubectl get crd ${sh(g.crd)} -o name >/dev/null 2>&1; then`, ...body.map((l) => `  ${l}`), "fi");
  }
  if (noted) lines.push(`if [ -n "$removed" ]; then`, `  note "${text(addon.note!)}"`, "fi");
  return lines;
}

/** The release's arguments as install.sh passes them: the check steps' arrays around its values files. */
function helmArguments(step: Extract<PlanStep, { kind: "helm" }>, plan: readonly PlanStep[], pad: string) {
  const args = (position: "before-values" | "after-values") =>
    plan.flatMap((s) => (s.kind === "check" && s.helmArgs?.position === position ? [` \\\n${pad}\${${s.helmArgs.variable}[@]+"\${${s.helmArgs.variable}[@]}"}`] : []));
  const values = step.valuesFiles.map((f) => ` \\\n${pad}-f "$HERE"/${shellWord("bundlePath", f)}`);
  return { args, values };
}

/**
 * The release's two blocks (its dry-run proof and its install) are the same for every plan with the same
 * release, values files, helm arguments and restore fragments: a fleet's plans hold a few. Each pair is
 * written once per run and reused, keyed by what it is written from.
 */
function releaseBlock(which: "proof" | "helm", step: Extract<PlanStep, { kind: "helm" }>, plan: readonly PlanStep[]): string {
  const from: string[] = [which, step.preflight.release, step.preflight.daemonSet, step.preflight.valuesFile, ...step.valuesFiles, ""];
  for (const s of plan) {
    if (s.kind === "check" && s.helmArgs !== null) from.push(`${s.helmArgs.position} ${s.helmArgs.variable}`);
    else if (which === "helm" && s.kind === "patch" && s.phase === "switch-off" && s.undo.kind === "commands") from.push(renderSnippet(s.undo.script));
  }
  return releases(JSON.stringify(from), () => (which === "helm" ? renderHelm(step, plan) : renderProof(step, plan)));
}

const releases = memo<string>(200);

function helmStepOf(plan: readonly PlanStep[]): Extract<PlanStep, { kind: "helm" }> {
  const helm = plan.find((s): s is Extract<PlanStep, { kind: "helm" }> => s.kind === "helm");
  if (helm === undefined) throw new Error("bug: a prove-chart step without a helm step");
  return helm;
}

function renderProof(helm: Extract<PlanStep, { kind: "helm" }>, plan: readonly PlanStep[]): string {
  const { args, values } = helmArguments(helm, plan, "      ");
  return [
    "# Prove the release installs before anything is switched off: the apiserver renders and validates it, and",
    "# Helm refuses objects another release owns. Nothing changes (a dry run); a refusal stops here.",
    'if [ "$MODE" != unchanged ]; then',
    '  if ! proof="$(helm upgrade --install --dry-run=server "$RELEASE" "$CHART" --version "$VERSION" --namespace "$NAMESPACE" \\',
    '      --description "tke-cilium bundle $BUNDLE_ID"' + args("before-values").join("") + values.join("") + args("after-values").join("") + ' 2>&1 >/dev/null)"; then',
    `    die "helm would not install the release $RELEASE (helm upgrade --dry-run=server: \${proof//$'\\n'/ }); nothing was changed"`,
    "  fi",
    "fi",
  ].join("\n");
}

function renderHelm(step: Extract<PlanStep, { kind: "helm" }>, plan: readonly PlanStep[]): string {
  const { args, values } = helmArguments(step, plan, "    ");
  const restore = plan.flatMap((s) => (s.kind === "patch" && s.phase === "switch-off" && s.undo.kind === "commands" ? [indent(renderSnippet(s.undo.script), "    ")] : []));
  return [
    'if [ "$MODE" = minor ]; then',
    "  # Cilium's upgrade guide: the pre-flight DaemonSet pulls the new images on every node and checks the",
    "  # existing policies before the agents restart with the new version.",
    '  step "Cilium pre-flight check for $VERSION"',
    "  # A release of its own with its own values only: it renders nothing the release cilium owns.",
    `  run helm upgrade --install ${sh(step.preflight.release)} "$CHART" --version "$VERSION" --namespace "$NAMESPACE" \\`,
    `    -f "$HERE"/${shellWord("bundlePath", step.preflight.valuesFile)}`,
    `  run kubectl -n "$NAMESPACE" rollout status daemonset/${text(step.preflight.daemonSet)} --timeout=10m`,
    `  run helm uninstall ${sh(step.preflight.release)} --namespace "$NAMESPACE"`,
    "fi",
    "",
    'if [ "$MODE" != unchanged ]; then',
    "  # The agents and the operator roll only when their configuration changed (rollOutCiliumPods).",
    '  step "Install or upgrade Cilium $VERSION"',
    '  if ! run helm upgrade --install "$RELEASE" "$CHART" --version "$VERSION" --namespace "$NAMESPACE" \\',
    '    --description "tke-cilium bundle $BUNDLE_ID"' + args("before-values").join("") + values.join("") + args("after-values").join("") + "; then",
    ...(restore.length > 0
      ? [
          '    if [ "$MODE" = install ]; then',
          "      # a first install that failed: the cluster gets its own networking back, as it was before this run",
          '      warn "helm failed: scheduling TKE\'s networking DaemonSets again"',
          ...restore.map((r) => indent(r, "  ")),
          "    fi",
        ]
      : []),
    '    die "helm upgrade --install of the release $RELEASE failed (see above)"',
    "  fi",
    "fi",
  ].join("\n");
}

/** install.sh after its tool check: every step in phase order, the next steps last. */
export function installBody(steps: readonly PlanStep[]): string {
  const ordered = orderPlan(steps);
  const blocks: string[] = [];
  let changed = false;
  const said: string[] = [];
  for (const step of ordered) {
    if (step.kind === "check" && step.when === "first-install") continue;
    if (step.kind === "say") {
      said.push(renderInstallStep(step, ordered));
      continue;
    }
    let block = renderInstallStep(step, ordered);
    if (!changed && !READ_ONLY_PHASES.includes(step.phase)) {
      changed = true;
      block = `# Every change comes after this line.\n${block}`;
    }
    blocks.push(block);
  }
  blocks.push(['step "Next steps"', ...said].join("\n"));
  return blocks.join("\n\n") + "\n";
}

/** The undo of every step, in registry order (the order uninstall.sh reads them in within a phase). */
export function undosOf(steps: readonly PlanStep[]): Undo[] {
  return steps.flatMap((s) => (isMutating(s) ? [s.undo] : s.kind === "say" && s.undo !== null ? [s.undo] : []));
}

/** uninstall.sh's steps between its preflight and "What is left to do", and the lines told there. */
export function uninstallBody(steps: readonly PlanStep[]): { body: string; tells: string[]; needsBundleFiles: boolean } {
  const undos = undosOf(steps);
  const blocks: string[] = [];
  for (const phase of UNDO_PHASES) {
    for (const u of undos) if (u.kind === "commands" && u.phase === phase) blocks.push(`step "${text(u.title)}"\n${renderSnippet(u.script)}`);
  }
  return {
    body: blocks.join("\n\n") + "\n",
    tells: undos.flatMap((u) => (u.tell !== null && u.tell !== undefined ? [u.tell] : [])),
    needsBundleFiles: undos.some((u) => u.kind === "commands" && u.needsBundleFiles),
  };
}
