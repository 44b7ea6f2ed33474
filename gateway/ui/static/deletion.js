// A deletion request's page follows the request while it runs: every two seconds it asks the gateway whether the
// request's progress is still what the page shows (If-None-Match with the page's ETag; 304 means yes, and is not
// audited), and reloads itself when it is not, so the tables below stay server-rendered.
(function () {
  "use strict";
  var state = document.getElementById("deletion-state");
  if (!state || state.dataset.final === "true") return;
  var url = state.dataset.statusUrl;
  var etag = state.dataset.etag || "";
  var failures = 0;

  function poll() {
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (response) {
        if (response.status === 304) return false;
        if (!response.ok) throw new Error("the gateway answered " + response.status);
        return true;
      })
      .then(function (changed) {
        failures = 0;
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
