// Polls a bulk job's progress and updates the bar; reloads the page when the job is done.
(function () {
  const bar = document.querySelector("[data-job-progress]");
  if (!bar) return;
  const url = bar.dataset.jobProgress;
  const fill = bar.querySelector("span");
  const label = document.querySelector("[data-job-label]");
  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const job = await response.json();
      fill.style.width = job.percent + "%";
      bar.setAttribute("aria-valuenow", job.percent);
      if (label) label.textContent = `${job.processed} of ${job.total} processed (${job.percent}%)`;
      if (job.status === "done") { window.location.reload(); return; }
    } catch (e) { /* keep polling: the worker may be restarting */ }
    setTimeout(poll, 1000);
  }
  poll();
})();
