// The fetch lab under Deno.serve, on a free port of 127.0.0.1 (Deno prints it).
import { lab } from "./lab.js";

Deno.serve({ hostname: "127.0.0.1", port: 0 }, lab);
