// What the pages that draw a recording share (session.js plays one, heatmap.js paints clicks over one): where
// rrweb-player's class is, how a failure is said in place of the player, and how the recording is fetched from the
// UI's own endpoints. rrweb-player (window.rrwebPlayer) is the pinned npm package the set-up copies into static/vendor.
window.gatewayRecording = (function () {
  "use strict";

  // The UMD bundle exposes the module: the player class is its default export (older builds exposed the class itself).
  function playerClass() {
    var Player = window.rrwebPlayer && (window.rrwebPlayer.default || window.rrwebPlayer.Player || window.rrwebPlayer);
    return typeof Player === "function" ? Player : null;
  }

  function say(root, title, text) {
    root.dataset.state = "error";
    root.textContent = "";
    var p = document.createElement("p");
    p.className = "player-message";
    p.setAttribute("role", "alert");
    var strong = document.createElement("strong");
    strong.textContent = title;
    p.appendChild(strong);
    p.appendChild(document.createTextNode(text));
    root.appendChild(p);
  }

  function fetchEvents(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("the gateway answered " + response.status);
        return response.json();
      });
  }

  return { playerClass: playerClass, say: say, fetchEvents: fetchEvents };
})();
