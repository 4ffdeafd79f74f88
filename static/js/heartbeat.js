// Reports activity while a lesson or quiz page is visible, so time spent counts only real reading.
// The server caps each report at two intervals, so a hidden or forgotten tab earns nothing.
(function () {
  const box = document.getElementById("activity");
  if (!box) return;
  const url = box.dataset.heartbeatUrl;
  const seconds = Number(box.dataset.heartbeatSeconds || 30);
  const token = (document.body.getAttribute("hx-headers") || "").match(/"X-CSRFToken": "([^"]+)"/);
  function beat() {
    if (document.visibilityState !== "visible") return;
    fetch(url, { method: "POST", headers: { "X-CSRFToken": token ? token[1] : "" }, credentials: "same-origin" });
  }
  beat();
  setInterval(beat, seconds * 1000);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") beat(); });
})();
