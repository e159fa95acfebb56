// Debian's Chromium, headless, through playwright-core: never a browser
// download. The flags keep it from reaching for the network at start-up,
// which this machine's closed network would refuse.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** A browser context with a fresh profile; `close()` also removes the profile. */
export async function launchChromium(options = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), "edgebreaker-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ARGS,
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
