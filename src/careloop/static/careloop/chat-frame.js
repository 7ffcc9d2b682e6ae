// The chat inside careloop's frame. It talks only to careloop (its own origin) and renders
// every message with textContent, so nothing a visitor or agent writes is ever parsed as HTML.
(() => {
  "use strict";
  const root = document.querySelector("[data-chat]");
  if (!root) {
    return;
  }
  const urls = {
    session: root.dataset.sessionUrl,
    messages: root.dataset.messagesUrl,
    events: root.dataset.eventsUrl,
    end: root.dataset.endUrl,
  };
  const TOKEN_KEY = "careloop.chat.token";
  const DETAILS_KEY = "careloop.chat.details";
  const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];
  const POLL_MS = 3000;

  const log = root.querySelector(".chat-log");
  const problem = root.querySelector(".chat-problem");
  const form = root.querySelector(".chat-form");
  const textarea = form.querySelector("textarea[name=text]");
  const nameInput = form.querySelector("input[name=name]");
  const emailInput = form.querySelector("input[name=email]");
  const endButton = root.querySelector(".chat-end");

  const storage = (() => {
    // Browsers may refuse storage to framed third-party pages; the chat then lasts the visit.
    try {
      const local = window.localStorage;
      local.getItem(TOKEN_KEY);
      return { get: (key) => local.getItem(key), set: (key, value) => local.setItem(key, value) };
    } catch {
      const memory = new Map();
      return { get: (key) => memory.get(key) ?? null, set: (key, value) => memory.set(key, value) };
    }
  })();

  let token = storage.get(TOKEN_KEY) || "";
  let lastSeenId = 0;
  let ended = false;
  let events = null;
  let pollTimer = null;
  const shownIds = new Set();
  const pendingByClientId = new Map();

  function newClientId() {
    if (window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  class ChatProblem extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  async function call(url, { method = "GET", body } = {}) {
    const headers = { Accept: "application/json", "X-Careloop-Chat": token };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
      });
    } catch {
      throw new ChatProblem("We could not reach the chat. Check your connection.", 0);
    }
    let payload = {};
    try {
      payload = await response.json();
    } catch {
      payload = {};
    }
    if (!response.ok) {
      throw new ChatProblem(payload.error || `The chat answered with an error (${response.status}).`, response.status);
    }
    return payload;
  }

  function showProblem(text) {
    problem.textContent = text;
    problem.hidden = !text;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function notice(text) {
    const item = document.createElement("li");
    item.className = "chat-notice";
    item.textContent = text;
    log.append(item);
    scrollToEnd();
    return item;
  }

  function bubble(author, authorName, text) {
    const item = document.createElement("li");
    item.className = `chat-message from-${author}`;
    const who = document.createElement("span");
    who.className = "chat-author";
    who.textContent = authorName;
    const body = document.createElement("p");
    body.className = "chat-text";
    body.textContent = text;
    item.append(who, body);
    return item;
  }

  function settle(item, message) {
    item.dataset.id = String(message.id);
    item.dataset.state = "sent";
    item.querySelector(".chat-state")?.remove();
    shownIds.add(message.id);
    lastSeenId = Math.max(lastSeenId, message.id);
  }

  function show(message) {
    if (shownIds.has(message.id)) {
      return;
    }
    const pending = message.client_id && pendingByClientId.get(message.client_id);
    if (pending) {
      settle(pending, message);
      return;
    }
    const item = bubble(message.author, message.author_name, message.text);
    if (message.link && /^https?:/.test(message.link.url)) {
      // A link only this visitor is shown (their survey); it opens outside the frame.
      const link = document.createElement("a");
      link.className = "chat-link";
      link.href = message.link.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = message.link.label;
      link.dataset.testid = "chat-survey-link";
      item.append(link);
    }
    settle(item, message);
    log.append(item);
    scrollToEnd();
  }

  function markEnded() {
    ended = true;
    endButton.disabled = true;
    notice("This chat has ended. Our team still has it; write again any time to start a new chat.");
  }

  // --- live replies ---------------------------------------------------------------------------

  function poll() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => {
      try {
        const url = new URL(urls.messages, location.href);
        url.searchParams.set("after", String(lastSeenId));
        const payload = await call(url.href);
        payload.messages.forEach(show);
      } catch {
        // Try again on the next tick; the transcript is still on the server.
      }
      poll();
    }, POLL_MS);
  }

  function listen() {
    if (events) {
      events.close();
    }
    if (!window.EventSource) {
      poll();
      return;
    }
    const url = new URL(urls.events, location.href);
    url.searchParams.set("token", token);
    url.searchParams.set("after", String(lastSeenId));
    events = new EventSource(url.href);
    events.addEventListener("message", (event) => show(JSON.parse(event.data)));
    events.addEventListener("error", () => {
      // EventSource reconnects by itself; only a refused connection needs the fallback.
      if (events.readyState === EventSource.CLOSED) {
        poll();
      }
    });
  }

  // --- sending --------------------------------------------------------------------------------

  function details() {
    return { name: nameInput.value.trim(), email: emailInput.value.trim() };
  }

  function rememberDetails() {
    storage.set(DETAILS_KEY, JSON.stringify(details()));
  }

  function restoreDetails() {
    try {
      const saved = JSON.parse(storage.get(DETAILS_KEY) || "{}");
      nameInput.value = saved.name || "";
      emailInput.value = saved.email || "";
    } catch {
      storage.set(DETAILS_KEY, "{}");
    }
  }

  function markUnsent(item, text, retry) {
    item.dataset.state = "unsent";
    item.querySelector(".chat-state")?.remove();
    const state = document.createElement("span");
    state.className = "chat-state";
    state.textContent = text;
    if (retry) {
      const again = document.createElement("button");
      again.type = "button";
      again.className = "secondary";
      again.textContent = "Send again";
      again.addEventListener("click", retry, { once: true });
      state.append(document.createElement("br"), again);
    }
    item.append(state);
  }

  async function deliver(item, payload, attempt = 0) {
    item.dataset.state = "sending";
    try {
      const answer = await call(urls.messages, { method: "POST", body: payload });
      pendingByClientId.delete(payload.client_message_id);
      settle(item, answer.message);
      ended = false;
      endButton.disabled = false;
      showProblem("");
    } catch (error) {
      const retryable = error.status === 0 || error.status >= 500;
      if (retryable && attempt < RETRY_DELAYS_MS.length) {
        // Same client_message_id on every try: the server files the message only once.
        markUnsent(item, "Not sent yet, trying again…", null);
        setTimeout(() => deliver(item, payload, attempt + 1), RETRY_DELAYS_MS[attempt]);
      } else if (retryable) {
        markUnsent(item, "Not sent.", () => deliver(item, payload, 0));
      } else {
        // Refused (too long, too fast…): give the text back so nothing typed is lost.
        pendingByClientId.delete(payload.client_message_id);
        item.remove();
        if (!textarea.value.trim()) {
          textarea.value = payload.text;
        }
        showProblem(error.message);
      }
    }
  }

  function send(event) {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) {
      showProblem("Write a message before sending.");
      textarea.focus();
      return;
    }
    showProblem("");
    rememberDetails();
    const payload = { client_message_id: newClientId(), text, ...details() };
    const item = bubble("visitor", "You", text);
    item.dataset.state = "sending";
    pendingByClientId.set(payload.client_message_id, item);
    log.append(item);
    scrollToEnd();
    textarea.value = "";
    deliver(item, payload);
  }

  async function endChat() {
    endButton.disabled = true;
    try {
      await call(urls.end, { method: "POST", body: {} });
      markEnded();
    } catch (error) {
      endButton.disabled = false;
      showProblem(error.message);
    }
  }

  // --- start ----------------------------------------------------------------------------------

  async function start() {
    restoreDetails();
    try {
      const session = await call(urls.session, { method: "POST", body: {} });
      token = session.token;
      storage.set(TOKEN_KEY, token);
      session.messages.forEach(show);
      if (session.ended) {
        markEnded();
      } else {
        endButton.disabled = session.messages.length === 0;
      }
      root.dataset.ready = "true";
      listen();
    } catch (error) {
      showProblem(error.message);
    }
  }

  form.addEventListener("submit", send);
  textarea.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter starts a new line, as in most chats.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && window.parent !== window) {
      window.parent.postMessage({ careloop: "close" }, "*");
    }
  });
  endButton.addEventListener("click", endChat);
  start();
})();
