// A heatmap page: rebuilds the page from its snapshot events with rrweb-player (no controller, paused at the end, the
// frame as tall as the lowest click so every cell is on the page), then paints the cells of the chosen layer on a
// canvas laid over the rebuilt page. Cells: x in data-x-bins columns of the width, y in data-y-bin-px pixel rows.
(function () {
  "use strict";
  var root = document.getElementById("heatmap");
  if (!root) return;
  var cells = JSON.parse(root.dataset.cells || "[]");
  var xBins = Number(root.dataset.xBins), yBinPx = Number(root.dataset.yBinPx);
  var colors = { click: [220, 38, 38], rage_click: [234, 88, 12], dead_click: [124, 58, 237] };
  var color = colors[root.dataset.layer] || colors.click;

  var shared = window.gatewayRecording;

  function say(title, text) {
    shared.say(root, title, text);
  }

  var Player = shared.playerClass();
  if (!Player) {
    say("The page could not be drawn.", " The replay player did not load; the table lists the areas.");
    return;
  }

  function paint(frame) {
    var box = frame.getBoundingClientRect(), outer = root.getBoundingClientRect();
    var canvas = document.createElement("canvas");
    canvas.className = "heatmap-overlay";
    canvas.setAttribute("aria-hidden", "true");
    canvas.width = Math.round(box.width);
    canvas.height = Math.round(box.height);
    canvas.style.left = (box.left - outer.left) + "px";
    canvas.style.top = (box.top - outer.top) + "px";
    root.appendChild(canvas);
    var ctx = canvas.getContext("2d");
    var scale = box.width / Number(frame.getAttribute("width") || box.width);
    var most = cells.reduce(function (m, c) { return Math.max(m, c.clicks); }, 1);
    var radius = Math.max(10, 28 * scale);
    cells.forEach(function (cell) {
      var x = (cell.x_bin + 0.5) / xBins * box.width;
      var y = (cell.y_bin + 0.5) * yBinPx * scale;
      var strength = 0.35 + 0.65 * cell.clicks / most;
      var glow = ctx.createRadialGradient(x, y, 0, x, y, radius);
      glow.addColorStop(0, "rgba(" + color.join(",") + "," + strength.toFixed(2) + ")");
      glow.addColorStop(1, "rgba(" + color.join(",") + ",0)");
      ctx.fillStyle = glow;
      ctx.fillRect(x - radius, y - radius, radius * 2, radius * 2);
    });
    root.dataset.painted = String(cells.length);
  }

  shared.fetchEvents(root.dataset.snapshotUrl)
    .then(function (events) {
      if (events.length < 2) throw new Error("no recorded view of this page can be drawn");
      // As tall as the lowest click (and at least the viewport): the whole clicked part of the page is shown.
      var lowest = cells.reduce(function (m, c) { return Math.max(m, (c.y_bin + 2) * yBinPx); }, 0);
      var viewport = { width: 1280, height: 800 };
      events.forEach(function (e) {
        if (e.type === 4 && e.data) {
          e.data.height = Math.min(20000, Math.max(e.data.height || 0, lowest));
          viewport = e.data;
        }
      });
      root.textContent = "";
      root.removeAttribute("aria-describedby");
      var width = Math.max(320, root.clientWidth);
      var player = new Player({
        target: root,
        props: {
          events: events, width: width, height: Math.round(width * viewport.height / viewport.width), maxScale: 1,
          autoPlay: false, showController: false, mouseTail: false, skipInactive: false,
        },
      });
      var end = events[events.length - 1].timestamp - events[0].timestamp;
      player.goto(end, false);
      var frame = root.querySelector("iframe");
      if (frame) {
        frame.setAttribute("tabindex", "-1");
        frame.setAttribute("title", "Recorded page");
      }
      root.dataset.state = "ready";
      requestAnimationFrame(function () { paint(frame); });
    })
    .catch(function (error) {
      say("The page could not be drawn.", " " + error.message + ". The table lists the areas.");
    });
})();
