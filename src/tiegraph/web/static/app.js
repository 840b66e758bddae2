// tiegraph's only script: the import progress bar, confirmations, and "go back" links.
"use strict";

function pollImport(box) {
  const bar = box.querySelector("progress");
  const text = box.querySelector(".progress-text");
  const tick = async () => {
    try {
      const answer = await fetch(box.dataset.poll, { headers: { Accept: "application/json" } });
      if (answer.ok) {
        const job = await answer.json();
        bar.max = job.total || 1;
        bar.value = job.done;
        text.textContent = `${job.status}: ${job.done} of ${job.total} files`;
        if (job.finished) {
          window.location.reload();
          return;
        }
      }
    } catch (_) {
      // The server may be restarting: try again on the next tick.
    }
    window.setTimeout(tick, 700);
  };
  window.setTimeout(tick, 300);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-poll]").forEach(pollImport);
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  document.querySelectorAll("[data-back]").forEach((link) => {
    link.addEventListener("click", (event) => {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });
});
