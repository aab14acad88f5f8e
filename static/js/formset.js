// Inline rows (findings, next steps, participants, ...) added and removed without a reload.
// A button [data-formset-add="PREFIX"] copies <template id="PREFIX-empty">; a button
// [data-formset-remove] ticks the row's DELETE box and hides it. The server does the rest.
(function () {
  "use strict";

  function addRow(prefix) {
    const total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    const template = document.getElementById(prefix + "-empty");
    const container = document.getElementById(prefix + "-rows");
    const index = parseInt(total.value, 10);
    container.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, index));
    total.value = index + 1;
    const row = container.lastElementChild;
    row.dispatchEvent(new CustomEvent("formset:added", { bubbles: true }));
    const first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) {
      first.focus();
    }
  }

  function removeRow(button) {
    const row = button.closest("[data-formset-row]");
    const del = row.querySelector("input[type=checkbox][name$='-DELETE']");
    if (del) {
      del.checked = true;
    }
    row.hidden = true;
    const group = row.closest("[data-formset]");
    const add = group && group.querySelector("[data-formset-add]");
    if (add) {
      add.focus();
    }
  }

  document.addEventListener("click", (event) => {
    const add = event.target.closest("[data-formset-add]");
    if (add) {
      event.preventDefault();
      addRow(add.dataset.formsetAdd);
      return;
    }
    const remove = event.target.closest("[data-formset-remove]");
    if (remove) {
      event.preventDefault();
      removeRow(remove);
    }
  });

  // Rows already marked for deletion (a re-rendered form) stay hidden.
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-formset-row]").forEach((row) => {
      const del = row.querySelector("input[type=checkbox][name$='-DELETE']");
      if (del && del.checked) {
        row.hidden = true;
      }
    });
  });
})();
