// The reference peer: socket.io v4 (the protocol's reference implementation) with the Redis
// adapter, relaying `message:send` (acked) → `message:new` to the room on every node.
// It persists nothing and checks nothing: rooms come from the handshake's auth payload
// (`{user_id, rooms: [room ids]}`), the trivial join mechanism the benchmark's peers share.
import { createServer } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";

const port = Number(process.env.PORT ?? 8090);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const channel = process.env.CHANNEL ?? "bench.node";

const pub = createClient({ url: redisUrl });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer((req, res) => {
  res.writeHead(req.url === "/healthz" ? 200 : 404, { "content-type": "text/plain" });
  res.end(req.url === "/healthz" ? "ok" : "not found");
});
const io = new Server(http, {
  adapter: createAdapter(pub, sub, { key: channel }),
  transports: ["websocket", "polling"],
  cors: { origin: "*" },
});

let nextId = 1;
const seqs = new Map();

io.on("connection", (socket) => {
  const auth = socket.handshake.auth ?? {};
  const userId = Number(auth.user_id ?? 0);
  for (const room of auth.rooms ?? []) socket.join(`room:${room}`);
  const sender = { id: userId, username: `u${userId}`, display_name: `u${userId}` };
  socket.on("message:send", (data, ack) => {
    const roomId = Number(data?.room_id);
    const seq = (seqs.get(roomId) ?? 0) + 1;
    seqs.set(roomId, seq);
    io.to(`room:${roomId}`).emit("message:new", {
      id: nextId++,
      room_id: roomId,
      seq,
      sender,
      body: String(data?.body ?? ""),
      client_msg_id: data?.client_msg_id,
      created_at: new Date().toISOString(),
      edited_at: null,
      deleted: false,
    });
    if (typeof ack === "function") ack({ ok: true, client_msg_id: data?.client_msg_id });
  });
});

http.listen(port, "127.0.0.1", () => console.log(`node relay listening on ${port}`));
const stop = () => {
  io.close();
  Promise.allSettled([pub.quit(), sub.quit()]).then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
