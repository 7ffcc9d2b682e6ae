// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // On narrow screens the menu starts folded so content comes first.
  const menu = document.querySelector(".nav-disclosure");
  if (menu && window.matchMedia("(max-width: 48rem)").matches) {
    menu.open = false;
  }
});
