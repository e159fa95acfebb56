// The fetch lab as a Worker (workerd, through Miniflare).
import { lab } from "./lab.js";

export default { fetch: lab };
