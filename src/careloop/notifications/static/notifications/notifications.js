// Browser notifications for the unread badge: asked for only after a click, shown only when
// the badge's poll brings a higher count. Every page works without this file.
(() => {
  const supported = "Notification" in window;
  let lastUnread = null;

  const readBadge = (badge) => Number.parseInt(badge.dataset.unread || "0", 10);

  const announce = (badge) => {
    const unread = readBadge(badge);
    if (
      lastUnread !== null && unread > lastUnread &&
      supported && Notification.permission === "granted"
    ) {
      const notice = new Notification("careloop", { body: badge.dataset.latest || `${unread} unread` });
      notice.addEventListener("click", () => {
        window.focus();
        window.location.assign(badge.href);
      });
    }
    lastUnread = unread;
  };

  const showPermission = (button, status) => {
    if (!supported) {
      status.textContent = "This browser does not offer notifications.";
      return;
    }
    button.hidden = Notification.permission !== "default";
    if (Notification.permission === "granted") {
      status.textContent = "Browser notifications are on.";
    } else if (Notification.permission === "denied") {
      status.textContent = "Browser notifications are blocked in this browser's settings.";
    }
  };

  document.addEventListener("DOMContentLoaded", () => {
    const badge = document.getElementById("notification-badge");
    if (badge) {
      lastUnread = readBadge(badge);
    }
    const button = document.getElementById("enable-browser-notifications");
    const status = document.getElementById("browser-notifications-status");
    if (button && status) {
      showPermission(button, status);
      button.addEventListener("click", () => {
        Notification.requestPermission().then(() => showPermission(button, status));
      });
    }
  });

  // htmx fires htmx:load on each element it swaps in: the badge after its poll changed it.
  document.addEventListener("htmx:load", (event) => {
    const element = event.detail && event.detail.elt;
    if (element && element.id === "notification-badge") {
      announce(element);
    }
  });
})();
