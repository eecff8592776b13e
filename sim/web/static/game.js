// Reload a game page when its round changes, so every screen shows what happened as soon as the teacher
// closes a round (and the teacher's page when a player joins, takes an actor or sends moves). The page says
// which game and round it shows in data attributes; nothing else is read.
(function () {
  var root = document.querySelector("[data-game]");
  if (!root) return;
  var code = root.getAttribute("data-game"), round = root.getAttribute("data-round"),
      status = root.getAttribute("data-status"), sent = root.getAttribute("data-sent") || "",
      players = root.getAttribute("data-players");
  function check() {
    fetch("/games/" + encodeURIComponent(code) + "/status", {cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        var nowSent = s.sent.join(",");
        var watchSent = root.hasAttribute("data-watch-sent");
        var nowPlayers = s.joined + "/" + s.playing;
        if (String(s.round) !== round || s.status !== status || (watchSent && nowSent !== sent) ||
            (players !== null && nowPlayers !== players)) {
          window.location.reload();
        }
      })
      .catch(function () {});
  }
  setInterval(check, 1500);
})();
