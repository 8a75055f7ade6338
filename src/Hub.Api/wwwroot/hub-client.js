// Hub's browser client: one EventSource for any number of topics, named event types, exact resume and
// hub.reset handling. Served by the hub itself at /hub-client.js (an ES module, no dependencies), so it
// always matches the hub that serves it.
//
//   import { HubClient } from "/hub-client.js";
//   const hub = new HubClient(["news", "status"]);
//   hub.on("status", e => console.log(e.topic, e.sequence, e.data));
//   hub.onReset = r => console.warn(`${r.topic}: history lost (${r.reason})`);
//   hub.connect();

const RESET = "hub.reset";
const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * A subscription to one or more topics over a single EventSource. Browsers allow six HTTP/1.1
 * connections per origin, shared by all tabs, so several topics share one `GET /events?topic=…` stream.
 *
 * Events reach the handlers given to `on(type, …)` as `{ type, data, id, topic, sequence, receivedAt }`.
 * `state` is "closed", "connecting", "open" or "reconnecting"; `lastEventId` is the cursor the stream
 * resumes from, for every topic at once.
 */
export class HubClient {
  /** Called with `{ topic, reason, resumedFrom }` when the hub could not resume a topic where asked. */
  onReset = null;

  /** Called with the new state whenever it changes. */
  onStateChange = null;

  #topics;
  #baseUrl;
  #from;
  #withCredentials;
  #handlers = new Map();
  #source = null;
  #state = "closed";
  #cursor = null;
  #positions = null;
  #generation = 0;
  #retryTimer = 0;
  #backoff = MIN_BACKOFF_MS;

  /**
   * @param {string[]} topics the topics to receive, on one connection
   * @param {object} [options]
   * @param {string} [options.baseUrl] the hub's address when it is not this page's origin ("" by default)
   * @param {string|object} [options.from] "live" (default: new events only), "earliest" (all retained
   *   history), a cursor saved from `lastEventId` to resume exactly after it, or `{ rewind: 1 }`: start
   *   with each topic's last N events (at most 1000), events newer than a duration (`{ rewind: "5m" }`)
   *   or, on keyed topics, the latest event of every key (`{ rewind: "state" }`), then go live. A rewind
   *   is done once: reconnects resume from the cursor.
   * @param {boolean} [options.withCredentials] send cookies to a hub on another origin
   */
  constructor(topics, { baseUrl = "", from = "live", withCredentials = false } = {}) {
    // The hub orders a subscription's topics ordinally; the cursor lists positions in that order.
    this.#topics = [...new Set(topics)].sort();
    if (this.#topics.length === 0) throw new Error("Name at least one topic.");
    this.#baseUrl = baseUrl.replace(/\/+$/, "");
    this.#from = from;
    this.#withCredentials = withCredentials;
  }

  get topics() { return [...this.#topics]; }

  get state() { return this.#state; }

  /** The cursor of the last event received: where this subscription resumes, on every topic. */
  get lastEventId() { return this.#cursor; }

  /**
   * Calls `handler` for every event of `type` ("message" for events published without a type). EventSource
   * delivers named events only to listeners of that name, so listen to each type you expect. Returns a
   * function that removes the handler.
   */
  on(type, handler) {
    if (typeof handler !== "function") throw new TypeError("handler must be a function");
    let set = this.#handlers.get(type);
    if (!set) {
      set = new Set();
      this.#handlers.set(type, set);
      this.#source?.addEventListener(type, this.#onEvent);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Opens the stream. The browser reconnects by itself and resumes from `lastEventId`. */
  connect() {
    if (this.#state !== "closed") return;
    this.#setState("connecting");
    this.#open(++this.#generation, this.#from);
  }

  /** Closes the stream. `connect()` again resumes where it stopped. */
  close() {
    this.#generation++;
    clearTimeout(this.#retryTimer);
    this.#source?.close();
    this.#source = null;
    if (this.#cursor) this.#from = this.#cursor;
    this.#setState("closed");
  }

  async #open(generation, from) {
    const rewind = typeof from === "object" && from !== null ? from.rewind : undefined;
    let cursor = from === "live" || from === "earliest" || rewind !== undefined ? await this.#startCursor(from) : from;
    if (generation !== this.#generation) return; // closed while we asked
    if (rewind !== undefined) {
      // The hub computes the rewind's starting cursor; until the first event, assume each topic where the
      // hub starts it (#startCursor), so the first event's topic is the one whose position differs.
      this.#positions = cursor ? decodeCursor(cursor, this.#topics.length) : null;
      cursor = null;
    } else if (cursor && cursor !== "earliest") {
      this.#cursor = cursor;
      this.#positions = decodeCursor(cursor, this.#topics.length);
    }
    const query = this.#topics.map(t => "topic=" + encodeURIComponent(t));
    if (cursor) query.push("lastEventId=" + encodeURIComponent(cursor));
    if (rewind !== undefined) query.push("rewind=" + encodeURIComponent(String(rewind)));
    const source = new EventSource(`${this.#baseUrl}/events?${query.join("&")}`, { withCredentials: this.#withCredentials });
    this.#source = source;
    for (const type of this.#handlers.keys()) source.addEventListener(type, this.#onEvent);
    source.addEventListener(RESET, this.#onReset);
    source.onopen = () => {
      this.#backoff = MIN_BACKOFF_MS;
      this.#setState("open");
    };
    source.onerror = () => {
      if (generation !== this.#generation) return;
      if (source.readyState === EventSource.CONNECTING) {
        // The stream ended; the browser retries by itself after the hub's retry: delay, with Last-Event-ID.
        this.#setState("reconnecting");
        return;
      }
      // The browser gave up for good: it does after any non-200 answer, such as a 503 while the cluster
      // fails over. Try again later with a fresh EventSource, from the last cursor, backing off.
      source.close();
      this.#source = null;
      this.#setState("reconnecting");
      const delay = this.#backoff * (0.75 + Math.random() / 2);
      this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
      this.#retryTimer = setTimeout(() => this.#open(generation, this.#cursor ?? from), delay);
    };
  }

  /**
   * Builds the cursor of "now" (or of "before the oldest retained event") from each topic's info, so the
   * first event already tells which topic it belongs to. Falls back to the hub's own start (no cursor, or
   * "earliest") when the topics cannot be read.
   */
  async #startCursor(from) {
    try {
      const infos = await Promise.all(this.#topics.map(async topic => {
        const response = await fetch(`${this.#baseUrl}/topics/${encodeURIComponent(topic)}`, {
          headers: { Accept: "application/json" },
          credentials: this.#withCredentials ? "include" : "same-origin",
        });
        if (!response.ok) throw new Error(`GET /topics/${topic}: ${response.status}`);
        return response.json();
      }));
      // A count rewind starts where the hub will start it (max(oldest - 1, head - N)); other rewinds at the head.
      const count = typeof from === "object" && /^\d+$/.test(String(from.rewind)) ? Number(from.rewind) : null;
      const positions = infos.map(i => ({
        epoch: i.epoch,
        sequence: from === "earliest" ? i.oldest - 1 : count !== null ? Math.max(i.oldest - 1, i.head - count) : i.head,
      }));
      return encodeCursor(this.#topics, positions);
    } catch {
      return from === "earliest" ? "earliest" : null; // and a rewind starts without a guess
    }
  }

  // The hub's event carries no topic field: each event moves exactly one topic's position in the cursor,
  // and that topic is the event's. A cursor this client cannot read leaves topic and sequence null.
  #advance(id) {
    const next = decodeCursor(id, this.#topics.length);
    let index = next && this.#topics.length === 1 ? 0 : -1;
    if (next && this.#positions && this.#topics.length > 1) {
      index = next.findIndex((p, i) => p.epoch !== this.#positions[i].epoch || p.sequence !== this.#positions[i].sequence);
    }
    this.#cursor = id || this.#cursor;
    this.#positions = next;
    return index < 0 ? { topic: null, sequence: null } : { topic: this.#topics[index], sequence: next[index].sequence };
  }

  #onEvent = event => {
    const { topic, sequence } = this.#advance(event.lastEventId);
    const e = { type: event.type, data: event.data, id: event.lastEventId, topic, sequence, receivedAt: new Date() };
    for (const handler of this.#handlers.get(event.type) ?? []) {
      try {
        handler(e);
      } catch (error) {
        reportError(error); // one failing handler must not starve the others
      }
    }
  };

  #onReset = event => {
    this.#advance(event.lastEventId);
    let reset;
    try {
      reset = JSON.parse(event.data);
    } catch {
      reset = { topic: null, reason: "unreadable", resumedFrom: null, data: event.data };
    }
    try {
      this.onReset?.(reset);
    } catch (error) {
      reportError(error);
    }
  };

  #setState(state) {
    if (state === this.#state) return;
    this.#state = state;
    try {
      this.onStateChange?.(state);
    } catch (error) {
      reportError(error);
    }
  }
}

// The cursor format (Hub.Api/Cursors/Cursor.cs): "{fingerprint}.{position}-{position}-…", one position per
// topic in ordinal order, each "{epoch}:{sequence}" in base 36, the epoch left out when it repeats the
// previous one. Opaque to applications; this module is served by the hub, so it moves with the format.

function decodeCursor(cursor, count) {
  if (!cursor) return null;
  const dot = cursor.indexOf(".");
  const parts = dot > 0 ? cursor.slice(dot + 1).split("-") : [];
  if (parts.length !== count) return null;
  let epoch = null;
  const positions = [];
  for (const part of parts) {
    const colon = part.indexOf(":");
    if (colon >= 0) epoch = part.slice(0, colon);
    const digits = part.slice(colon + 1);
    if (!epoch || !/^[0-9a-z]{1,12}$/.test(digits)) return null;
    positions.push({ epoch, sequence: Number.parseInt(digits, 36) });
  }
  return positions;
}

function encodeCursor(topics, positions) {
  const parts = positions.map((p, i) =>
    (i > 0 && p.epoch === positions[i - 1].epoch ? "" : p.epoch + ":") + Math.max(0, p.sequence).toString(36));
  return fingerprint(topics) + "." + parts.join("-");
}

// FNV-1a (32 bit) over each topic's UTF-8 bytes and a newline, in base 36: the hub's TopicSet.Fingerprint.
function fingerprint(topics) {
  const utf8 = new TextEncoder();
  let hash = 0x811c9dc5;
  for (const topic of topics) {
    for (const byte of utf8.encode(topic)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    hash = Math.imul(hash ^ 0x0a, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}
