// Keyboard shortcuts for staff pages; "?" lists them (templates/core/_shortcuts.html).
// Elements opt in with data-shortcut="…", so pages decide what a key acts on.
(() => {
  const TYPING = "input, textarea, select, [contenteditable=''], [contenteditable='true']";
  let pendingG = false;
  // The selected row's conversation, so a live refresh of the inbox's rows keeps the agent's place.
  let selectedId = null;

  const find = (name) => document.querySelector(`[data-shortcut="${name}"]`);
  const rows = () => [...document.querySelectorAll("[data-shortcut-row]")];
  const selectedRow = () => document.querySelector("[data-shortcut-row][data-selected='true']");

  function select(row, focus = true) {
    for (const other of rows()) {
      other.removeAttribute("data-selected");
    }
    row.setAttribute("data-selected", "true");
    selectedId = row.dataset.conversation ?? null;
    if (focus) {
      const link = row.querySelector("a[href]");
      (link || row).focus();
      row.scrollIntoView({ block: "nearest" });
    }
  }

  // The live inbox swaps in fresh rows; select the same conversation again, and give it back
  // the focus only if the swap took the focus away with the old row.
  document.addEventListener("htmx:afterSwap", () => {
    if (selectedId === null || selectedRow()) {
      return;
    }
    const row = rows().find((each) => each.dataset.conversation === selectedId);
    if (row) {
      select(row, document.activeElement === document.body);
    }
  });

  function move(step) {
    const all = rows();
    if (!all.length) {
      return;
    }
    const at = all.indexOf(selectedRow());
    const next = at < 0 ? 0 : Math.min(Math.max(at + step, 0), all.length - 1);
    select(all[next]);
  }

  function open() {
    const link = selectedRow()?.querySelector("a[href]");
    if (link) {
      link.click();
    }
  }

  // In the inbox a key acts on the selected row through the bulk form; on a conversation,
  // through the form the page marks for it.
  function onSelectedRow(bulkAction) {
    const row = selectedRow();
    const bulk = find("bulk");
    if (!row || !bulk) {
      return false;
    }
    for (const box of bulk.querySelectorAll("input[name=conversations]")) {
      box.checked = row.contains(box);
    }
    bulk.querySelector("[name=action]").value = bulkAction;
    bulk.requestSubmit();
    return true;
  }

  function compose(internal) {
    const body = find("reply-body");
    const note = find("internal-note");
    if (!body) {
      return;
    }
    if (note) {
      note.checked = internal;
    }
    body.focus();
  }

  function solve() {
    if (onSelectedRow("solved")) {
      return;
    }
    const status = find("status");
    if (status) {
      status.value = "solved";
      status.form.requestSubmit();
    }
  }

  function assignToMe() {
    if (!onSelectedRow("assign_me")) {
      find("assign-me")?.requestSubmit();
    }
  }

  const KEYS = {
    j: () => move(1),
    k: () => move(-1),
    o: open,
    Enter: open,
    r: () => compose(false),
    n: () => compose(true),
    e: solve,
    a: assignToMe,
    // The page's own search (the inbox's) before the one in the top bar.
    "/": () => (document.querySelector('main [data-shortcut="search"]') || find("search"))?.focus(),
    "?": () => find("shortcuts")?.showModal(),
  };

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.matches?.(TYPING)) {
      if (event.key === "Escape") {
        target.blur();
      } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.form) {
        // Ctrl+Enter sends what is being written, from any field of the form.
        event.preventDefault();
        target.form.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector("dialog[open]")) {
      return;
    }
    if (pendingG) {
      pendingG = false;
      if (event.key === "i" && find("shortcuts")) {
        event.preventDefault();
        window.location.assign(find("shortcuts").dataset.inboxUrl);
      }
      return;
    }
    if (event.key === "g") {
      pendingG = true;
      return;
    }
    // Enter on a link or button already does what it says; only a selected row needs opening.
    if (event.key === "Enter" && target.closest?.("a, button") && !target.closest("[data-shortcut-row]")) {
      return;
    }
    const act = KEYS[event.key];
    if (act) {
      event.preventDefault();
      act();
    }
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-shortcuts-close]")) {
      event.target.closest("dialog").close();
    }
  });
})();
