// Reload a game page when what it shows has changed, so every screen shows what happened as soon as the
// teacher closes a round: the round or the game's status; on the teacher's page also who joined, took an
// actor or sent moves; on a page waiting for the debrief, the debrief being ready. The page says what it
// shows in data attributes; nothing else is read.
(function () {
  var root = document.querySelector("[data-game]");
  if (!root) return;
  var code = root.getAttribute("data-game"), round = root.getAttribute("data-round"),
      status = root.getAttribute("data-status"), sent = root.getAttribute("data-sent") || "",
      players = root.getAttribute("data-players"),
      waiting = root.getAttribute("data-debrief") === "pending";
  function changed(s) {
    if (waiting && s.debrief) return true;
    if (round === "") return false;
    return String(s.round) !== round || s.status !== status ||
      (root.hasAttribute("data-watch-sent") && s.sent.join(",") !== sent) ||
      (players !== null && s.joined + "/" + s.playing !== players);
  }
  function check() {
    fetch("/games/" + encodeURIComponent(code) + "/status", {cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s && changed(s)) window.location.reload(); })
      .catch(function () {});
  }
  setInterval(check, 1500);
})();
