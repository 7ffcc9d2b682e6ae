// Pickers (core/widgets.py): choosing an option from the search results adds a chip holding a
// hidden input named like the field; a single picker keeps one chip, a multiple one many.
(() => {
  function chip(name, value, label) {
    const item = document.createElement("li");
    item.className = "picker-chip";
    const text = document.createElement("span");
    text.textContent = label;
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "picker-remove";
    remove.dataset.pickerRemove = "";
    remove.setAttribute("aria-label", `Remove ${label}`);
    remove.textContent = "×";
    item.append(text, input, remove);
    return item;
  }

  function choose(option) {
    const picker = option.closest("[data-picker]");
    const chosen = picker.querySelector("[data-picker-chosen]");
    const search = picker.querySelector("[data-picker-search]");
    const value = option.dataset.value;
    const already = [...chosen.querySelectorAll("input")].some((input) => input.value === value);
    if (!picker.hasAttribute("data-multiple")) {
      chosen.replaceChildren();
    }
    if (!already || !picker.hasAttribute("data-multiple")) {
      chosen.append(chip(picker.dataset.name, value, option.dataset.label));
    }
    picker.querySelector("[data-picker-results]").replaceChildren();
    search.value = "";
    search.focus();
  }

  document.addEventListener("click", (event) => {
    const option = event.target.closest("[data-picker-option]");
    if (option) {
      choose(option);
      return;
    }
    const remove = event.target.closest("[data-picker-remove]");
    if (remove) {
      const picker = remove.closest("[data-picker]");
      remove.closest(".picker-chip").remove();
      picker.querySelector("[data-picker-search]").focus();
    }
  });

  // Arrow keys move between the search box and the options; Escape closes the results.
  document.addEventListener("keydown", (event) => {
    const picker = event.target.closest && event.target.closest("[data-picker]");
    if (!picker) {
      return;
    }
    const options = [...picker.querySelectorAll("[data-picker-option]")];
    const at = options.indexOf(event.target);
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      options[Math.min(at + 1, options.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      (at === 0 ? picker.querySelector("[data-picker-search]") : options[at - 1]).focus();
    } else if (event.key === "Escape") {
      picker.querySelector("[data-picker-results]").replaceChildren();
    } else if (event.key === "Enter" && event.target.matches("[data-picker-search]")) {
      // Enter chooses the first match rather than submitting a half-filled form.
      event.preventDefault();
      if (options.length) {
        choose(options[0]);
      }
    }
  });
})();
