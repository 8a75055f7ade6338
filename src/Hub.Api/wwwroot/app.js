// The demo page. Streamed data is only ever set as text (textContent), never parsed as HTML, so a payload
// like <img src=x onerror=alert(1)> shows literally. Rows are added in batches once per frame and the
// table keeps at most MAX_ROWS, so thousands of events a second leave the page responsive.
import { HubClient } from "/hub-client.js";

const MAX_ROWS = 500;
const $ = id => document.getElementById(id);
const feed = $("feed");

let hub = null;
let listened = new Set();
let resume = null; // { topics, cursor } of the last connection, for "where I left off"
let pending = [];
let frame = 0;
let received = 0;
let reconnects = 0;

const words = text => text.split(/[\s,]+/).filter(Boolean);

function connect(event) {
  event.preventDefault();
  const topics = words($("topics").value);
  if (topics.length === 0) return;
  const choice = $("from").value;
  const sameTopics = resume && resume.topics === [...new Set(topics)].sort().join(" ");
  const from = choice === "resume" && sameTopics ? resume.cursor
    : choice === "resume" ? "live"
    : choice.startsWith("rewind:") ? { rewind: choice.slice("rewind:".length) }
    : choice;

  hub = new HubClient(topics, { from });
  listened = new Set();
  for (const type of ["message", ...words($("types").value)]) listen(type);
  hub.onReset = reset => enqueue({ reset, receivedAt: new Date() });
  let opened = false;
  hub.onStateChange = state => {
    if (state === "open" && opened) $("reconnects").textContent = String(++reconnects);
    if (state === "open") opened = true;
    showState(state);
  };
  $("stream-url").textContent = "GET /events?" + hub.topics.map(t => "topic=" + encodeURIComponent(t)).join("&");
  hub.connect();
  $("connect").disabled = true;
  $("disconnect").disabled = false;
}

function disconnect() {
  if (!hub) return;
  hub.close();
  if (hub.lastEventId) {
    resume = { topics: hub.topics.join(" "), cursor: hub.lastEventId };
    const option = $("from").querySelector("option[value=resume]");
    option.disabled = false;
    $("from").value = "resume";
  }
  hub = null;
  $("connect").disabled = false;
  $("disconnect").disabled = true;
}

function listen(type) {
  if (!hub || listened.has(type)) return;
  listened.add(type);
  hub.on(type, enqueue);
}

function showState(state) {
  const pill = $("state");
  pill.textContent = state;
  pill.dataset.state = state;
}

function enqueue(item) {
  received++;
  pending.push(item);
  // Rows beyond MAX_ROWS would be dropped at once: never hold more (a hidden tab gets no frames).
  if (pending.length > MAX_ROWS) pending.splice(0, pending.length - MAX_ROWS);
  frame ||= requestAnimationFrame(flush);
}

function flush() {
  frame = 0;
  const rows = document.createDocumentFragment();
  for (let i = pending.length - 1; i >= 0; i--) rows.append(render(pending[i]));
  pending = [];
  feed.prepend(rows);
  while (feed.childElementCount > MAX_ROWS) feed.lastElementChild.remove();
  $("empty").hidden = feed.childElementCount > 0;
  $("count").textContent = received.toLocaleString();
  $("count").dataset.value = String(received);
  $("cursor").textContent = hub?.lastEventId ?? $("cursor").textContent;
}

function render(item) {
  const row = document.createElement("tr");
  const time = item.receivedAt.toLocaleTimeString([], { hour12: false }) + "." + String(item.receivedAt.getMilliseconds()).padStart(3, "0");
  if (item.reset) {
    const { topic, reason, resumedFrom } = item.reset;
    row.className = "reset";
    row.append(
      cell("time", time),
      topicCell(topic ?? "?"),
      cell("type", "hub.reset"),
      cell("seq", ""),
      cell("data", `History no longer reaches back (${reason}): continuing from #${resumedFrom}.`),
      cell("id", ""));
    return row;
  }
  row.dataset.topic = item.topic ?? "";
  row.dataset.type = item.type;
  row.append(
    cell("time", time),
    topicCell(item.topic ?? "?"),
    cell("type", item.type),
    cell("seq", item.sequence ?? ""),
    cell("data", item.data),
    cell("id", item.id));
  row.lastChild.title = item.id;
  return row;
}

function cell(className, text) {
  const td = document.createElement("td");
  td.className = className;
  td.textContent = String(text);
  return td;
}

function topicCell(topic) {
  const td = cell("topic", "");
  const chip = document.createElement("span");
  chip.className = "chip";
  chip.textContent = topic;
  chip.style.setProperty("--hue", String(hue(topic)));
  td.append(chip);
  return td;
}

// A stable colour per topic name, so a busy multi-topic feed stays easy to scan.
function hue(text) {
  let h = 7;
  for (const c of text) h = (h * 31 + c.codePointAt(0)) >>> 0;
  return Math.round((h * 137.508) % 360); // golden angle: neighbouring hashes get distant hues
}

async function publish(event) {
  event.preventDefault();
  const result = $("pub-result");
  const topic = $("pub-topic").value.trim();
  const type = $("pub-type").value.trim();
  const token = $("pub-token").value.trim();
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = "Bearer " + token;
  const body = { data: $("pub-data").value };
  if (type) body.type = type;
  listen(type || "message"); // what you publish, you see
  result.className = "";
  result.textContent = "publishing…";
  try {
    const response = await fetch(`/topics/${encodeURIComponent(topic)}/events`, { method: "POST", headers, body: JSON.stringify(body) });
    const answer = await response.json().catch(() => null);
    if (response.ok) {
      result.className = "ok";
      result.dataset.sequence = String(answer.sequence);
      result.textContent = `${answer.topic} #${answer.sequence}`;
    } else {
      result.className = "error";
      result.textContent = `${response.status} ${answer?.detail ?? answer?.title ?? response.statusText}`;
    }
  } catch (error) {
    result.className = "error";
    result.textContent = String(error.message ?? error);
  }
}

$("subscribe").addEventListener("submit", connect);
$("disconnect").addEventListener("click", disconnect);
$("publish").addEventListener("submit", publish);
$("pub-data").addEventListener("keydown", e => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("publish").requestSubmit();
});
$("clear").addEventListener("click", () => {
  pending = [];
  feed.replaceChildren();
  $("empty").hidden = false;
});
document.documentElement.dataset.ready = "true";
