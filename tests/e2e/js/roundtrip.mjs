// One scenario run by tests/e2e/test_js_client.py with the official socket.io-client v4.
// Input (env CHATTY_E2E, JSON): {urlA, urlB, tokenA, tokenB, roomId, count}.
// Output: one JSON line on stdout with what the clients saw; exit 1 on a timeout.
import { randomUUID } from "node:crypto";
import { io } from "socket.io-client";

const cfg = JSON.parse(process.env.CHATTY_E2E);
const connect = (url, token) =>
  io(url, { auth: { token }, transports: ["websocket"], reconnection: false, timeout: 10000 });

function connected(socket) {
  return new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
}

async function refusedHandshake(url) {
  const socket = connect(url, "not-a-token");
  try {
    await connected(socket);
    return { refused: false };
  } catch (err) {
    return { refused: true, message: err.message, data: err.data };
  } finally {
    socket.close();
  }
}

const timer = setTimeout(() => {
  console.error("timed out");
  process.exit(1);
}, 60000);

const sender = connect(cfg.urlA, cfg.tokenA);
const receiver = connect(cfg.urlB, cfg.tokenB);
const received = [];
const allReceived = new Promise((resolve) => {
  receiver.on("message:new", (message) => {
    if (message.room_id !== cfg.roomId) return;
    received.push(message);
    if (received.length === cfg.count) resolve();
  });
});
await Promise.all([connected(sender), connected(receiver)]);

const acks = [];
for (let i = 0; i < cfg.count; i += 1) {
  const clientMsgId = randomUUID();
  acks.push(
    sender.timeout(10000).emitWithAck("message:send", {
      room_id: cfg.roomId,
      body: `js message ${i}`,
      client_msg_id: clientMsgId,
    }),
  );
}
const ackResults = await Promise.all(acks);
await allReceived;

const badAck = await sender.timeout(10000).emitWithAck("message:send", { room_id: "x" });
const history = await receiver
  .timeout(10000)
  .emitWithAck("history:fetch", { room_id: cfg.roomId, limit: 100 });
const refused = await refusedHandshake(cfg.urlA);

console.log(
  JSON.stringify({
    acks: ackResults,
    received: received.map((m) => ({ seq: m.seq, client_msg_id: m.client_msg_id, body: m.body })),
    badAck,
    historySeqs: history.ok ? history.messages.map((m) => m.seq) : history,
    refused,
    transport: sender.io.engine.transport.name,
  }),
);
clearTimeout(timer);
sender.close();
receiver.close();
