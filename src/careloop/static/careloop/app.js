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
  // never clears their choice.
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.id !== "inbox-live") return;
    if (document.querySelector(".bulk-form input[name=conversations]:checked")) {
      event.preventDefault();
    }
  });
});
