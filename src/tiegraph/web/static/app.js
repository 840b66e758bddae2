// tiegraph's only script: the import progress bar, confirmations, "go back" links, and
// keyboard access to tables that scroll sideways on a narrow screen.
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

// On a phone a wide table scrolls inside itself (app.css); one without links or buttons could
// then not be scrolled from the keyboard, so it takes the focus itself.
function scrollableTables() {
  const controls = "a[href], button, input, select, textarea";
  document.querySelectorAll("table.grid").forEach((table) => {
    const scrolls = table.scrollWidth > table.clientWidth;
    if (scrolls && !table.querySelector(controls)) table.tabIndex = 0;
    else table.removeAttribute("tabindex");
  });
}

document.addEventListener("DOMContentLoaded", () => {
  scrollableTables();
  window.addEventListener("resize", scrollableTables);
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
