// Reload a game page as soon as what it shows has changed: the round or the game's status; on the
// teacher's page also each join and each set of moves; on a page waiting for the debrief, the debrief.
// The page says which game it shows, what it watches and the signature it was drawn with (data
// attributes); the status request waits on the server until the signature changes (a long poll), so
// every screen learns of a closed round at once. Nothing else of the page is read.
(function () {
  var root = document.querySelector("[data-game][data-watch]");
  if (!root) return;
  var url = "/games/" + encodeURIComponent(root.getAttribute("data-game")) + "/status?watch=" +
    encodeURIComponent(root.getAttribute("data-watch")) + "&known=" +
    encodeURIComponent(root.getAttribute("data-signature"));
  var known = root.getAttribute("data-signature");
  // The teacher's page follows every join and every set of moves: at most one reload in two seconds, so
  // that forty players sending at once cost the server a few pages, not forty.
  var settle = root.getAttribute("data-watch") === "teacher" ? 2000 : 0;
  function poll() {
    fetch(url, {cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (s && s.signature !== known) { window.location.reload(); return; }
        setTimeout(poll, s ? 50 : 2000);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, settle);
})();

// The move form: each target list offers only the targets its move may be aimed at (the move's option
// lists them in data-targets; the server checks the choice again whatever is sent).
(function () {
  var targets = document.querySelectorAll("select[data-for]");
  Array.prototype.forEach.call(targets, function (target) {
    var move = document.getElementById(target.getAttribute("data-for"));
    if (!move) return;
    function offer() {
      var chosen = move.options[move.selectedIndex];
      var allowed = ((chosen && chosen.getAttribute("data-targets")) || "").split(" ").filter(Boolean);
      Array.prototype.forEach.call(target.options, function (option) {
        var fits = option.value === "" ? allowed.length === 0 : allowed.indexOf(option.value) >= 0;
        option.hidden = option.disabled = !fits;
      });
      if (target.selectedOptions.length === 0 || target.selectedOptions[0].disabled) {
        var first = Array.prototype.find.call(target.options, function (o) { return !o.disabled; });
        target.value = first ? first.value : "";
      }
    }
    move.addEventListener("change", offer);
    offer();
  });
})();
