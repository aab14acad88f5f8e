// Progressive enhancement: a <select data-typeahead="URL"> becomes a type-ahead (Tom Select)
// that asks URL?q=... for choices as the user types. Without JavaScript it stays a select.
(function () {
  "use strict";

  // The "×" as a button people can reach with the keyboard and that says what it does.
  function clearButton(data) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = data.className;
    button.title = data.title;
    button.setAttribute("aria-label", data.title);
    button.textContent = "\u00d7";
    return button.outerHTML;
  }

  function enhance(select) {
    if (select.tomselect || select.closest("template")) {
      return;
    }
    const url = select.dataset.typeahead;
    // A choice of one that may be left empty is emptied by its "×" (or Backspace): its empty
    // option ("- Select an option -") is the placeholder, never one of the suggestions.
    // (A required one may be changed, not emptied: it has no "×".)
    const plugins = {};
    if (select.multiple) {
      plugins.remove_button = { title: select.dataset.remove };
    } else if (select.dataset.clearable) {
      plugins.clear_button = { title: select.dataset.clear, html: clearButton };
    }
    // The server finds the matches, by a local name too (کوئٹہ for Quetta) or any word of a
    // label: the suggestions are what it answered for the query, in its order. Filtered again
    // in the browser by the label's letters, a match by its Urdu name was dropped. Until it
    // answers (or if it fails: a lost session, the network), the choices already loaded are
    // matched by their labels, and the query is asked again at the next keystroke.
    const answered = new Map();
    // A required choice of one is changed by choosing another, never emptied (Backspace
    // emptied it, only for the form to say "This field is required").
    const keepsItsChoice = !select.multiple && !select.dataset.clearable;
    // eslint-disable-next-line no-undef
    const control = new TomSelect(select, {
      valueField: "id",
      labelField: "text",
      searchField: ["text"],
      plugins,
      render: {
        no_results: () => {
          const message = document.createElement("div");
          message.className = "no-results";
          message.textContent = select.dataset.noResults;
          return message;
        },
      },
      maxOptions: 20,
      loadThrottle: 250,
      preload: "focus",
      allowEmptyOption: false,
      sortField: [{ field: "$score" }, { field: "$order" }],
      score(query) {
        const ranks = answered.get(query);
        if (!ranks) {
          return this.getScoreFunction(query);
        }
        return (option) => ranks.get(String(option.id)) || 0;
      },
      onDelete: () => !keepsItsChoice,
      load(query, callback) {
        fetch(url + "?q=" + encodeURIComponent(query), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then((response) => response.json())
          .then((data) => {
            const count = data.results.length;
            const ranks = data.results.map((result, index) => [String(result.id), count - index]);
            answered.set(query, new Map(ranks));
            callback(data.results);
          })
          .catch(() => {
            delete this.loadedSearches[query];
            callback();
          });
      },
    });
    // The original select stays in the form but out of reach: the type-ahead, labelled by
    // the field's label, is what people and assistive technology use.
    select.setAttribute("aria-hidden", "true");
    // Emptied from the keyboard, the "×" goes with the choice: the focus goes back to the
    // field, not to the page (a click, detail > 0, leaves it where the pointer is).
    const clear = control.control.querySelector(".clear-button");
    if (clear) {
      clear.addEventListener("click", (event) => {
        if (event.detail === 0) {
          control.focus();
        }
      });
    }
    return control;
  }

  function enhanceAll(root) {
    root.querySelectorAll("select[data-typeahead]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", () => enhanceAll(document));
  document.addEventListener("formset:added", (event) => enhanceAll(event.target));
})();
