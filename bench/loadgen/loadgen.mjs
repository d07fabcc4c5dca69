// The benchmark's load generator: one process holding a shard of the clients.
//
// Driven by bench/loadgen.py over stdin/stdout, one JSON object per line: every command gets one
// reply line. Every Socket.IO client is its own connection (forceNew) over the WebSocket
// transport. A message carries its send time in its body, so any process can time its arrival
// (all processes share the machine's clock: performance.timeOrigin + performance.now()).
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const now = () => performance.timeOrigin + performance.now();
const shard = process.argv[2] ?? "0";

let clients = []; // index → {socket, connected}
const steps = new Map(); // step id → receipt stats
const closed = new Set(); // steps already reported: a late receipt must not reopen them
let late = 0;

function stepStats(step) {
  let s = steps.get(step);
  if (!s) {
    s = { received: 0, hist: new Map(), first: Infinity, last: 0, track: null };
    steps.set(step, s);
  }
  return s;
}

// 0.1 ms resolution below 100 ms, 1 ms below 10 s, 100 ms beyond.
function bucket(ms) {
  if (ms < 100) return Math.round(ms * 10) / 10;
  if (ms < 10000) return Math.round(ms);
  return Math.round(ms / 100) * 100;
}

// Outstanding sends per sender (closed loop): cmid → resolve.
const waiting = new Map();

function onMessage(message) {
  const t = now();
  const body = typeof message?.body === "string" ? message.body : "";
  const parts = body.split(" ");
  if (parts[0] !== "bench") return;
  const step = Number(parts[1]);
  if (closed.has(step)) {
    late += 1;
    return;
  }
  const latency = t - Number(parts[2]);
  const s = stepStats(step);
  s.received += 1;
  const b = bucket(latency);
  s.hist.set(b, (s.hist.get(b) ?? 0) + 1);
  if (t < s.first) s.first = t;
  if (t > s.last) s.last = t;
  if (s.track) {
    const m = s.track.get(message.client_msg_id) ?? { n: 0, max: 0 };
    m.n += 1;
    if (latency > m.max) m.max = latency;
    s.track.set(message.client_msg_id, m);
  }
}

function connectOne(spec, timeoutMs, deflate) {
  return new Promise((resolve) => {
    const socket = io(spec.url, {
      transports: ["websocket"],
      auth: spec.auth,
      forceNew: true,
      reconnection: false,
      timeout: timeoutMs,
      // Offered by default, as browsers do; a server may accept it (then every frame it sends
      // is deflated per connection) or decline it (socket.io on Node declines by default).
      perMessageDeflate: deflate ? { threshold: 1024 } : false,
    });
    const client = { socket, connected: false, sent: 0 };
    socket.on("message:new", (m) => {
      onMessage(m);
      const done = waiting.get(m.client_msg_id);
      if (done) {
        waiting.delete(m.client_msg_id);
        done();
      }
    });
    socket.once("connect", () => {
      client.connected = true;
      resolve({ client, error: null });
    });
    socket.once("connect_error", (err) => {
      resolve({ client, error: String(err?.message ?? err) });
    });
  });
}

async function connect(cmd) {
  const started = now();
  const errors = [];
  let next = 0;
  const specs = cmd.clients;
  clients = new Array(specs.length);
  async function lane() {
    while (next < specs.length) {
      const i = next++;
      const { client, error } = await connectOne(specs[i], cmd.timeout_ms ?? 30000, cmd.deflate ?? true);
      clients[i] = client;
      if (error && errors.length < 5) errors.push(error);
    }
  }
  await Promise.all(Array.from({ length: cmd.concurrency ?? 100 }, lane));
  const connected = clients.filter((c) => c?.connected).length;
  return { connected, failed: specs.length - connected, ms: now() - started, errors };
}

let serial = 0;
function sendOne(sender, step, pad, onAck = () => {}) {
  const c = clients[sender.client];
  const cmid = `bench-${shard}-${sender.client}-${++serial}`;
  const body = `bench ${step} ${now().toFixed(3)} ${pad}`;
  const payload = { room_id: sender.room, body, client_msg_id: cmid };
  c.sent += 1;
  // Acknowledged like a real client asks for it; the closed loop waits for the echo instead.
  c.socket.emit("message:send", payload, onAck);
  return { cmid, resend: (again) => c.socket.emit("message:send", payload, again) };
}

// Open loop: each sender sends at its rate whatever happens to earlier messages (bounded by
// max_in_flight unacknowledged sends per sender, counted as `skipped` when hit).
async function openLoop(cmd) {
  const s = stepStats(cmd.step);
  if (cmd.track) s.track = new Map();
  const pad = "x".repeat(cmd.pad ?? 40);
  const t0 = now();
  const end = t0 + cmd.duration_s * 1000;
  let sent = 0;
  let acked = 0;
  let ackErrors = 0;
  let skipped = 0;
  const errors = [];
  const state = cmd.senders.map((sender) => ({ sender, due: 0, inflight: 0 }));
  await new Promise((resolve) => {
    const tick = () => {
      const t = now();
      const horizon = Math.min(t, end);
      for (const st of state) {
        // `phase` (0–1 of one interval) spreads the senders' sends evenly, as independent
        // users' are: without it every sender fires in the same millisecond.
        const want = Math.floor(((horizon - t0) / 1000) * st.sender.rate + (st.sender.phase ?? 0));
        while (st.due < want) {
          st.due += 1;
          if (st.inflight >= (cmd.max_in_flight ?? 1000)) {
            skipped += 1;
            continue;
          }
          st.inflight += 1;
          sent += 1;
          const c = clients[st.sender.client];
          const cmid = `bench-${shard}-${st.sender.client}-${++serial}`;
          const body = `bench ${cmd.step} ${now().toFixed(3)} ${pad}`;
          c.socket.emit(
            "message:send",
            { room_id: st.sender.room, body, client_msg_id: cmid },
            (reply) => {
              st.inflight -= 1;
              if (reply?.ok) acked += 1;
              else {
                ackErrors += 1;
                if (errors.length < 5) errors.push(reply);
              }
            },
          );
        }
      }
      if (t >= end) resolve();
      else setTimeout(tick, 2);
    };
    tick();
  });
  const endUsage = usage();
  // Give acks a moment to come back before reporting.
  const ackDeadline = now() + (cmd.ack_wait_s ?? 5) * 1000;
  while (acked + ackErrors < sent && now() < ackDeadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return { sent, acked, ack_errors: ackErrors, skipped, errors, end_usage: endUsage };
}

// Closed loop: each sender keeps `window` messages in flight, a slot freed when the sender
// itself receives its message back (so the loop covers the whole path, not just the ack).
async function closedLoop(cmd) {
  const pad = "x".repeat(cmd.pad ?? 40);
  const t0 = now();
  const end = t0 + cmd.duration_s * 1000;
  let sent = 0;
  let echoed = 0;
  let timedOut = 0;
  let refused = 0;
  const lane = async (sender) => {
    while (now() < end) {
      sent += 1;
      const ok = await new Promise((resolve) => {
        let timer;
        const expire = () => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            waiting.delete(msg.cmid);
            resolve(false);
          }, cmd.echo_timeout_ms ?? 5000);
        };
        // Refused (`unavailable`): retried with the same id after `retry_after`, as the SPA's
        // outbox does; the echo wait starts again with each attempt.
        const onAck = (reply) => {
          if (reply?.ok === false && reply.error?.code === "unavailable") {
            refused += 1;
            clearTimeout(timer);
            setTimeout(() => {
              expire();
              msg.resend(onAck);
            }, (reply.error.retry_after ?? 1) * 1000);
          }
        };
        const msg = sendOne(sender, cmd.step, pad, onAck);
        expire();
        waiting.set(msg.cmid, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (ok) echoed += 1;
      else timedOut += 1;
    }
  };
  const lanes = [];
  for (const sender of cmd.senders) {
    for (let i = 0; i < (cmd.window ?? 8); i++) lanes.push(lane(sender));
  }
  await Promise.all(lanes);
  return { sent, echoed, timed_out: timedOut, refused, end_usage: usage() };
}

function stats(cmd) {
  const s = stepStats(cmd.step);
  const out = {
    received: s.received,
    hist: Object.fromEntries(s.hist),
    first: Number.isFinite(s.first) ? s.first : null,
    last: s.last || null,
  };
  if (s.track) out.track = Object.fromEntries(s.track);
  if (cmd.forget) {
    steps.delete(cmd.step);
    closed.add(cmd.step);
  }
  out.late_total = late;
  return out;
}

async function disconnect() {
  for (const c of clients) c?.socket.disconnect();
  clients = [];
  await new Promise((r) => setTimeout(r, 50));
  return {};
}

const handlers = {
  connect,
  open_loop: openLoop,
  closed_loop: closedLoop,
  stats,
  disconnect,
  ping: async () => ({}),
  quit: async () => {
    await disconnect();
    setImmediate(() => process.exit(0));
    return {};
  },
};

// Every reply carries this process's CPU (user + system, ms) and wall clock, for saturation.
function usage() {
  const u = process.cpuUsage();
  return { cpu_ms: (u.user + u.system) / 1000, wall_ms: now(), rss: process.memoryUsage().rss };
}

const rl = createInterface({ input: process.stdin });
let chain = Promise.resolve();
rl.on("line", (line) => {
  if (!line.trim()) return;
  const cmd = JSON.parse(line);
  chain = chain.then(async () => {
    let reply;
    try {
      reply = { ok: true, ...(await handlers[cmd.cmd](cmd)) };
    } catch (err) {
      reply = { ok: false, error: String(err?.stack ?? err) };
    }
    process.stdout.write(`${JSON.stringify({ ...reply, usage: usage() })}\n`);
  });
});
rl.on("close", () => process.exit(0));
