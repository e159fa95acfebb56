// The README's import snippets, read from the README itself so the tests run
// them exactly as written. A snippet is the fenced block right after a marker
// line `<!-- snippet: ID -->`. host-tests/README.md holds them; when the root
// README carries the same marker, its block must be identical.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hostTestsDir, repoDir } from "./packed.mjs";

const readmes = [join(hostTestsDir, "README.md"), join(repoDir, "README.md"), join(repoDir, "js", "examples", "README.md")];

export function snippet(id) {
  const found = readmes
    .filter((path) => existsSync(path))
    .map((path) => ({ path, code: snippetIn(readFileSync(path, "utf8"), id) }))
    .filter(({ code }) => code !== undefined);
  if (found.length === 0) throw new Error(`no README has a snippet marked ${id}`);
  const differing = found.find(({ code }) => code !== found[0].code);
  if (differing) throw new Error(`snippet ${id} differs between ${found[0].path} and ${differing.path}`);
  return found[0].code;
}

function snippetIn(markdown, id) {
  const marker = `<!-- snippet: ${id} -->`;
  const start = markdown.indexOf(marker);
  if (start === -1) return undefined;
  const block = /```[a-z]*\n([\s\S]*?)```/.exec(markdown.slice(start + marker.length));
  if (!block) throw new Error(`snippet marker ${id} is not followed by a fenced block`);
  return block[1];
}
