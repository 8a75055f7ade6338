// The streamed answer page: one topic's chunks appended to #answer as text (never as markup), resuming
// after the last chunk shown when the page reloads or the connection drops.

const $ = selector => document.querySelector(selector);

const params = new URLSearchParams(location.search);
let topic = params.get("topic");
if (!topic) {
  topic = `chat.demo-${crypto.randomUUID().slice(0, 8)}`;
  history.replaceState(null, "", `?topic=${encodeURIComponent(topic)}`);
}
$("#topic").textContent = topic;

const answer = $("#answer");
const storageKey = `hub.stream:${topic}`;
let chunks = 0;
let lastId = null;

// What this tab showed before a reload: the text and the id of the last chunk in it. Resuming after that
// id shows every later chunk exactly once; without it, the answer so far is replayed from the start.
const saved = JSON.parse(sessionStorage.getItem(storageKey) ?? "null");
if (saved) {
  answer.append(saved.text);
  chunks = saved.chunks;
  lastId = saved.lastId;
}
show();

// An OpenAI-compatible chunk carries its text in choices[0].delta.content; anything else is shown as sent.
function chunkText(data) {
  try {
    const content = JSON.parse(data)?.choices?.[0]?.delta?.content;
    if (typeof content === "string") return content;
  } catch {
    // not JSON: plain text
  }
  return data;
}

function show() {
  $("#chunks").textContent = String(chunks);
  $("#cursor").textContent = lastId ?? "none yet";
}

function setState(state) {
  const pill = $("#state");
  pill.dataset.state = state;
  pill.textContent = state;
}

const source = new EventSource(`/topics/${encodeURIComponent(topic)}/events?lastEventId=${encodeURIComponent(lastId ?? "earliest")}`);
setState("connecting");
source.onopen = () => setState("open");
source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");

function onChunk(event) {
  answer.append(chunkText(event.data));   // a Text node: "<img onerror=…>" stays visible text
  chunks++;
  lastId = event.lastEventId;
  sessionStorage.setItem(storageKey, JSON.stringify({ text: answer.textContent, chunks, lastId }));
  show();
}
source.onmessage = onChunk;
source.addEventListener("delta", onChunk);

// The hub could not resume (the answer left retention, or its log was lost): it continues from the
// oldest event it has, so start the text over rather than mix two versions.
source.addEventListener("hub.reset", () => {
  answer.textContent = "";
  chunks = 0;
  sessionStorage.removeItem(storageKey);
  show();
});

$("#start").addEventListener("click", async () => {
  const result = $("#start-result");
  const rate = params.get("chunksPerSecond") ?? "20";
  const response = await fetch(`/demo/answers/${encodeURIComponent(topic)}?chunksPerSecond=${encodeURIComponent(rate)}`, { method: "POST" });
  if (response.ok) {
    result.textContent = "streaming…";
  } else {
    const problem = await response.json().catch(() => null);
    result.textContent = problem?.detail ?? `failed: ${response.status}`;
  }
});

$("#reload").addEventListener("click", () => location.reload());
