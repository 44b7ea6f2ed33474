// The replay player of a session page: loads the recording through the UI's events endpoint, marks every signal on
// the player's timeline, and makes each signal's and console entry's "Play" button seek there. What it shares
// with the heatmap page (the player's class, the error message, the fetch) is in player.js.
(function () {
  "use strict";
  var root = document.getElementById("player");
  if (!root) return;
  var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-seek-ts]"));
  var leadIn = Number(root.dataset.leadIn || 0);

  var shared = window.gatewayRecording;

  function say(title, text) {
    shared.say(root, title, text);
  }

  function markCurrent(button) {
    document.querySelectorAll(".signal.current").forEach(function (el) { el.classList.remove("current"); });
    document.querySelectorAll(".console-entry.current").forEach(function (el) { el.classList.remove("current"); });
    var item = button.closest(".signal, .console-entry");
    if (item) item.classList.add("current");
  }

  // rrweb-player's own controls carry no names; give them what a screen reader needs.
  function labelControls() {
    var switchInput = root.querySelector(".rr-controller input[type=checkbox]");
    if (switchInput && !switchInput.getAttribute("aria-label")) switchInput.setAttribute("aria-label", "Skip inactive periods");
    var buttonsInPlayer = root.querySelectorAll(".rr-controller button");
    buttonsInPlayer.forEach(function (b) {
      if (!b.getAttribute("aria-label") && !b.textContent.trim()) {
        b.setAttribute("aria-label", b.classList.contains("fullscreen") ? "Full screen" : "Play or pause");
      }
    });
    var progress = root.querySelector(".rr-progress");
    if (progress) progress.setAttribute("aria-hidden", "true");
    // The recorded page is a picture, not something to use: keep keyboard focus out of it.
    var frame = root.querySelector("iframe");
    if (frame) {
      frame.setAttribute("tabindex", "-1");
      frame.setAttribute("title", "Recorded page");
    }
  }

  var Player = shared.playerClass();
  if (!Player) {
    say("The replay player did not load.", " Reload the page; if it persists, the gateway's web assets need reinstalling.");
    return;
  }

  shared.fetchEvents(root.dataset.eventsUrl)
    .then(function (events) {
      if (events.length < 2) throw new Error("the recording has too few events to play");
      var start = events[0].timestamp;
      var tags = {};
      // Signals are marked on the player's timeline; console entries only seek.
      var marks = buttons.filter(function (button) { return button.dataset.kind; }).map(function (button) {
        tags[button.dataset.kind] = button.dataset.color;
        return { type: 5, timestamp: Number(button.dataset.seekTs), data: { tag: button.dataset.kind, payload: {} } };
      });
      var all = events.concat(marks).sort(function (a, b) { return a.timestamp - b.timestamp; });
      root.textContent = "";
      root.dataset.state = "ready";
      root.removeAttribute("aria-describedby");
      var width = Math.max(320, root.clientWidth);
      var player = new Player({
        target: root,
        props: {
          events: all, width: width, height: Math.round(width * 9 / 16), maxScale: 1,
          autoPlay: false, showController: true, skipInactive: true, tags: tags, mouseTail: true,
        },
      });
      window.gatewayPlayer = player; // for the browser tests and the console
      root.dataset.start = String(start);
      labelControls();
      // A shared link's moment (?at=ms from the start); "Share this moment" sends where the player is now.
      if (root.dataset.at) {
        player.goto(Number(root.dataset.at), false);
        root.dataset.seekedTo = root.dataset.at;
      }
      var shareAt = document.getElementById("share-at");
      if (shareAt) {
        shareAt.form.addEventListener("submit", function () {
          shareAt.value = String(Math.max(0, Math.round(player.getReplayer().getCurrentTime())));
        });
      }
      buttons.forEach(function (button) {
        button.addEventListener("click", function () {
          var offset = Math.max(0, Number(button.dataset.seekTs) - start - leadIn);
          player.goto(offset, true);
          root.dataset.seekedTo = String(offset);
          markCurrent(button);
          root.scrollIntoView({ block: "nearest" });
        });
      });
    })
    .catch(function (error) {
      say("The recording could not be loaded.", " " + error.message + ". Reload the page to try again.");
    });
})();
