// One member of the Redis fleet under test: a Node process, an HTTP server on
// 127.0.0.1 around the shared member handler (../member.mjs), its breakers'
// fleet on a Redis client of its own. Arguments: the client's kind
// ("node-redis" or "ioredis") and the server's redis:// URL. Prints
// "listening on <url>" once it answers.
import { createServer } from "node:http";
import { redisFleet } from "edgebreaker/redis";
import { handleMemberRequest } from "../member.mjs";
import { connect } from "./clients.mjs";

const [kind, redisUrl] = process.argv.slice(2);
const { client } = await connect(kind, redisUrl);
const fleetFor = (plan) => redisFleet(client, plan.fleet);

const server = createServer(async (incoming, outgoing) => {
  try {
    const chunks = [];
    for await (const chunk of incoming) chunks.push(chunk);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const request = new Request(`http://127.0.0.1${incoming.url}`, { method: incoming.method, headers: incoming.headers, body });
    const response = await handleMemberRequest(request, { fleetFor });
    outgoing.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    outgoing.writeHead(500, { "content-type": "text/plain" }).end(error?.stack ?? String(error));
  }
});
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
