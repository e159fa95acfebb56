// The README's snippets, read from the README itself so the tests run them
// exactly as written. A snippet is the fenced block right after a marker line
// `<!-- snippet: ID -->`, in the root README.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoDir } from "./packed.mjs";

const readme = join(repoDir, "README.md");

export function snippet(id) {
  const marker = `<!-- snippet: ${id} -->`;
  const markdown = readFileSync(readme, "utf8");
  const start = markdown.indexOf(marker);
  if (start === -1) throw new Error(`README.md has no snippet marked ${id}`);
  const block = /```[a-z]*\n([\s\S]*?)```/.exec(markdown.slice(start + marker.length));
  if (!block) throw new Error(`snippet marker ${id} is not followed by a fenced block`);
  return block[1];
}
