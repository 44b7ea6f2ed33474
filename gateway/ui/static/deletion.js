// A deletion request's page follows the request while it runs: it asks the gateway for the request's progress every
// two seconds and reloads itself when anything changed (the status shown, or anything since the last look), so the tables below stay server-rendered.
(function () {
  "use strict";
  var state = document.getElementById("deletion-state");
  if (!state || state.dataset.final === "true") return;
  var url = state.dataset.statusUrl;
  var seen = null;
  var failures = 0;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("the gateway answered " + response.status);
        return response.text();
      })
      .then(function (text) {
        failures = 0;
        var changed = seen === null ? JSON.parse(text).status !== state.dataset.status : text !== seen;
        seen = text;
        if (changed) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function (error) {
        failures += 1;
        if (failures >= 5) {
          state.textContent = "Could not follow the request (" + error.message + "). Reload the page to see its progress.";
          return;
        }
        window.setTimeout(poll, 2000);
      });
  }
  window.setTimeout(poll, 1000);
})();
