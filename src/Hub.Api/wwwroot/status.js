// Polls /status/data once a second and keeps two minutes of history per figure.
const figures = [
  { key: "connections", label: "SSE connections" },
  { key: "topics", label: "active topics" },
  { key: "publishedRate", label: "events published / s" },
  { key: "deliveredRate", label: "events delivered / s" },
  { key: "workingSetMb", label: "memory (MB)" },
  { key: "slowClientDisconnects", label: "slow-client disconnects" },
];
const history = Object.fromEntries(figures.map(f => [f.key, []]));
const cards = document.getElementById("cards");
const views = {};
for (const f of figures) {
  const card = document.createElement("section");
  card.className = "card";
  const label = document.createElement("div"); label.className = "label"; label.textContent = f.label;
  const value = document.createElement("div"); value.className = "value"; value.textContent = "–";
  const canvas = document.createElement("canvas");
  card.append(label, value, canvas);
  cards.append(card);
  views[f.key] = { value, canvas };
}

function draw(canvas, points) {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth * ratio, h = canvas.clientHeight * ratio;
  canvas.width = w; canvas.height = h;
  const g = canvas.getContext("2d");
  const style = getComputedStyle(document.documentElement);
  g.strokeStyle = style.getPropertyValue("--grid"); g.lineWidth = ratio;
  g.beginPath(); g.moveTo(0, h - ratio); g.lineTo(w, h - ratio); g.stroke();
  if (points.length < 2) return;
  const max = Math.max(1, ...points);
  g.strokeStyle = style.getPropertyValue("--line"); g.lineWidth = 2 * ratio;
  g.beginPath();
  points.forEach((p, i) => {
    const x = (i / (120 - 1)) * w, y = h - 2 * ratio - (p / max) * (h - 6 * ratio);
    i ? g.lineTo(x, y) : g.moveTo(x, y);
  });
  g.stroke();
}

let previous = null;
async function tick() {
  try {
    const s = await (await fetch("/status/data", { cache: "no-store" })).json();
    const seconds = previous ? Math.max(0.001, s.uptimeSeconds - previous.uptimeSeconds) : 1;
    const now = {
      connections: s.connections,
      topics: s.topics,
      publishedRate: previous ? (s.eventsPublished - previous.eventsPublished) / seconds : 0,
      deliveredRate: previous ? (s.eventsDelivered - previous.eventsDelivered) / seconds : 0,
      workingSetMb: s.workingSetBytes / 1048576,
      slowClientDisconnects: s.slowClientDisconnects,
    };
    previous = s;
    const node = document.getElementById("node");
    node.textContent = `${s.node} · ${s.role} · up ${Math.round(s.uptimeSeconds)} s${s.draining ? " · draining" : ""}`;
    node.className = s.draining ? "bad" : "muted";
    for (const f of figures) {
      const list = history[f.key];
      list.push(now[f.key]);
      if (list.length > 120) list.shift();
      views[f.key].value.textContent = Number.isInteger(now[f.key]) ? now[f.key] : now[f.key].toFixed(1);
      draw(views[f.key].canvas, list);
    }
  } catch {
    document.getElementById("node").textContent = "node not reachable";
  }
}
tick();
setInterval(tick, 1000);
  
