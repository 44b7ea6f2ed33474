// The live debugger: reads the gateway's Server-Sent Events for the chosen source and filters, and lists each event
// (what every destination got and why, PII found by type, plan violations, the scrubbed event) or refused request.
// Everything is written as text nodes: event names and properties are the sender's, never markup.
(function () {
  "use strict";
  var form = document.getElementById("live-form");
  if (!form) return;
  var feed = document.getElementById("live-feed");
  var status = document.getElementById("live-status");
  var stopButton = document.getElementById("live-stop");
  var source = null;
  var MAX_ITEMS = 200;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function destinations(message) {
    var list = el("ul", "live-destinations");
    message.destinations.forEach(function (d) {
      var item = el("li", "live-dest live-" + d.action);
      item.dataset.destination = d.destination;
      item.dataset.action = d.action;
      item.appendChild(el("strong", "", d.destination));
      item.appendChild(document.createTextNode(" " + d.action.replace("_", " ") + (d.reason ? " (" + d.reason.replace(/_/g, " ") + ")" : "")));
      list.appendChild(item);
    });
    if (!message.destinations.length) list.appendChild(el("li", "live-dest live-drop", "stopped at " + message.stopped_at + ": " + message.reason.replace(/_/g, " ")));
    return list;
  }

  function eventItem(message) {
    var item = el("li", "live-item");
    item.dataset.messageId = message.message_id;
    item.dataset.name = message.name;
    var head = el("div", "live-head");
    head.appendChild(el("span", "live-type", message.type));
    head.appendChild(el("strong", "live-name", message.name || "(" + message.type + ")"));
    head.appendChild(el("span", "muted", new Date(message.at * 1000).toISOString().substr(11, 12) + " · " + message.protocol));
    item.appendChild(head);
    item.appendChild(destinations(message));
    var pii = Object.keys(message.pii);
    if (pii.length) item.appendChild(el("p", "live-pii", "PII found: " + pii.map(function (k) { return k + " × " + message.pii[k]; }).join(", ")));
    if (message.violations.length) {
      var plan = el("ul", "live-violations");
      plan.setAttribute("aria-label", "Plan violations (" + message.plan_action.replace("_", " ") + ")");
      message.violations.forEach(function (v) {
        plan.appendChild(el("li", "", message.plan_action.replace("_", " ") + ": " + v.rule.replace(/_/g, " ") + " at " + v.path + " (expected " + v.expected + ", got " + v.observed + ")"));
      });
      item.appendChild(plan);
    }
    if (message.event) {
      var details = el("details", "");
      details.appendChild(el("summary", "", "Scrubbed event"));
      details.appendChild(el("pre", "details-json", JSON.stringify(message.event, null, 2)));
      item.appendChild(details);
    }
    if (message.skipped_before) item.appendChild(el("p", "muted", message.skipped_before + " events skipped before this one (rate limit)"));
    return item;
  }

  function refusedItem(message) {
    var item = el("li", "live-item live-refused");
    item.appendChild(el("strong", "", "Refused " + message.status + " " + message.code));
    item.appendChild(document.createTextNode(" · " + message.protocol + (message.source ? " · " + message.source : "") + ": " + message.message));
    return item;
  }

  function add(item) {
    feed.insertBefore(item, feed.firstChild);
    while (feed.children.length > MAX_ITEMS) feed.removeChild(feed.lastChild);
  }

  function stop(text) {
    if (source) source.close();
    source = null;
    stopButton.disabled = true;
    status.textContent = text || "Stopped.";
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    stop();
    var params = new URLSearchParams(new FormData(form));
    history.replaceState(null, "", "?" + params.toString());
    source = new EventSource(form.dataset.stream + "?" + params.toString());
    status.textContent = "Connecting…";
    stopButton.disabled = false;
    source.addEventListener("ready", function () { status.textContent = "Watching " + params.get("source") + "."; });
    source.addEventListener("event", function (e) { add(eventItem(JSON.parse(e.data))); });
    source.addEventListener("refused", function (e) { add(refusedItem(JSON.parse(e.data))); });
    source.onerror = function () { if (source && source.readyState === EventSource.CLOSED) stop("The gateway closed the stream."); else status.textContent = "Reconnecting…"; };
  });
  stopButton.addEventListener("click", function () { stop(); });
  if (new URLSearchParams(location.search).get("source")) form.requestSubmit();
})();
