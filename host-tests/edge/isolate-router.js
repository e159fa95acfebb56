// The front of `make demo`'s fleet (runtimes.mjs startCloudflareFleet): spreads
// requests over the isolates round-robin through service bindings
// ISOLATE_1..ISOLATE_<ISOLATE_COUNT>, as Cloudflare spreads a Worker's traffic
// over its isolates, so each sees a share and none sees it all. Each answer
// says which isolate gave it (x-edgebreaker-isolate).

let next = 0;

export default {
  async fetch(request, env) {
    const number = (next++ % env.ISOLATE_COUNT) + 1;
    const answer = await env[`ISOLATE_${number}`].fetch(request);
    const response = new Response(answer.body, answer);
    response.headers.set("x-edgebreaker-isolate", `isolate-${number}`);
    return response;
  },
};
