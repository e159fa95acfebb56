// The README's snippets, read from the README itself so the tests run them
// exactly as written. A snippet is the fenced block right after a marker line
// `<!-- snippet: ID -->`. Every suite reads them here: the runtimes and the
// edge suite one by one from the root README, js/'s readme tests all of them
// from the README the tarball ships.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoDir } from "./packed.mjs";

const rootReadme = join(repoDir, "README.md");

/** Every snippet of a README, by ID, in the order they appear. */
export function readmeSnippets(readme = rootReadme) {
  const markdown = readFileSync(readme, "utf8");
  const snippets = new Map();
  for (const [, id, code] of markdown.matchAll(/<!-- snippet: (\S+) -->\n```[\w-]*\n([\s\S]*?)```/g)) {
    if (snippets.has(id)) throw new Error(`${readme} marks two snippets ${id}`);
    snippets.set(id, code);
  }
  return snippets;
}

/** The root README's snippet marked `id`. */
export function snippet(id) {
  const code = readmeSnippets().get(id);
  if (code === undefined) throw new Error(`README.md has no snippet marked ${id} (a marker line, then a fenced block)`);
  return code;
}
