// A background export's page: ask for its progress every two seconds until it finishes,
// then reload the page for the download link. Without JavaScript the page is still whole.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box || box.dataset.finished === "true") { return; }
  var bar = document.getElementById("export-progress");
  var status = document.getElementById("export-status");
  var rows = document.getElementById("export-rows");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        status.textContent = job.status_label;
        rows.textContent = job.rows_done + " / " + (job.rows_total === null ? "?" : job.rows_total);
        if (job.finished) { window.location.reload(); } else { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
