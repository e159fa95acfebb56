// The soak's control: the Cloudflare example's forwarding without the breaker,
// a bare fetch to UPSTREAM_URL. Its memory under the soak's plain traffic is
// what workerd itself takes, for comparison with the example's.

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    const headers = { "content-type": "application/json" };
    return fetch(`${env.UPSTREAM_URL}${pathname}`, { method: "POST", headers, body: await request.text(), signal: request.signal });
  },
};
