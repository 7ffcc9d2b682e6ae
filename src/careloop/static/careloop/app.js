// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // On narrow screens the menu starts folded so content comes first.
  const menu = document.querySelector(".nav-disclosure");
  if (menu && window.matchMedia("(max-width: 48rem)").matches) {
    menu.open = false;
  }

  // Tell the collision check that this agent is drafting a reply.
  const composer = document.querySelector("#composer textarea");
  const drafting = document.getElementById("drafting");
  if (composer && drafting) {
    composer.addEventListener("input", () => {
      drafting.value = composer.value.trim() ? "1" : "0";
    });
  }

  // The live inbox waits while the agent has rows ticked for a bulk action, so a refresh
  // never clears their choice, and never answers for a search the agent has since changed.
  const searchChanged = (poller) => {
    const search = document.getElementById("inbox-search");
    const asked = new URL(poller.getAttribute("hx-get"), window.location.href);
    return search !== null && search.value !== (asked.searchParams.get("q") || "");
  };
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.id !== "inbox-live") return;
    if (
      document.querySelector(".bulk-form input[name=conversations]:checked") ||
      searchChanged(event.detail.elt)
    ) {
      event.preventDefault();
    }
  });
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const poller = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (poller && poller.id === "inbox-live" && searchChanged(poller)) {
      event.detail.shouldSwap = false;
    }
  });
});
