// careloop's chat widget for any site: <script src=".../widget.js" data-careloop="https://careloop.example" defer>
// It adds a launcher button and, once opened, an iframe with careloop's chat page. Everything
// lives in a Shadow DOM so the host page's styles cannot reach it, and ours cannot leak out.
// A host page with its own Content-Security-Policy allows careloop's origin in script-src,
// style-src and frame-src.
(() => {
  "use strict";
  const script =
    document.currentScript || document.querySelector("script[data-careloop][src*='widget.js']");
  if (!script || document.querySelector("[data-careloop-chat]")) {
    return;
  }
  const careloop = new URL(script.dataset.careloop || new URL(script.src).origin, location.href);
  const careloopOrigin = careloop.origin;
  const base = careloop.href.endsWith("/") ? careloop.href : `${careloop.href}/`;
  const frameUrl = new URL("chat/frame/", base).href;
  const stylesheetUrl = new URL("widget.css", script.src).href;

  const host = document.createElement("div");
  host.dataset.careloopChat = "";
  const shadow = host.attachShadow({ mode: "open" });

  const stylesheet = document.createElement("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = stylesheetUrl;

  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.textContent = "Chat with us";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "careloop-chat-panel");

  const panel = document.createElement("section");
  panel.className = "panel";
  panel.id = "careloop-chat-panel";
  panel.setAttribute("aria-label", "Chat with us");
  panel.hidden = true;

  let frame = null;

  function open() {
    if (!frame) {
      // Created on first open, so a page view alone costs careloop nothing.
      frame = document.createElement("iframe");
      frame.title = "Chat with us";
      frame.src = frameUrl;
      panel.append(frame);
    }
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.textContent = "Close chat";
    frame.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.textContent = "Chat with us";
    launcher.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  // The frame asks to close when its visitor presses Escape; only careloop's frame is heeded.
  window.addEventListener("message", (event) => {
    if (
      frame &&
      event.origin === careloopOrigin &&
      event.source === frame.contentWindow &&
      event.data &&
      event.data.careloop === "close"
    ) {
      close();
    }
  });

  // Shown once styled, so the host page never flashes an unstyled button.
  const show = () => shadow.append(panel, launcher);
  stylesheet.addEventListener("load", show, { once: true });
  stylesheet.addEventListener("error", show, { once: true });
  shadow.append(stylesheet);
  document.body.append(host);
})();
