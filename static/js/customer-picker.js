// The customer picker: turns each <input data-customer-picker> into a search-as-you-type list
// fed by its data-customer-lookup endpoint (JSON: {items: [{id, name, domain}]}, at most one
// page). Choosing an entry writes "Name (domain)" into the box, which the form resolves on the
// server; without this script the box is a plain search field and works the same way.
(function () {
  "use strict";
  const inputs = document.querySelectorAll("input[data-customer-picker][data-customer-lookup]");
  let counter = 0;

  function enhance(input) {
    counter += 1;
    const listId = `customer-picker-${counter}`;
    const list = document.createElement("ul");
    list.id = listId;
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    let items = [];
    let active = -1;
    let timer = null;
    let asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const options = list.querySelectorAll("[role=option]");
      options.forEach((o, i) => o.setAttribute("aria-selected", i === index ? "true" : "false"));
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      const item = items[index];
      if (!item) return;
      input.value = `${item.name} (${item.domain})`;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(found, query) {
      items = found;
      list.replaceChildren();
      if (!query) { close(); return; }
      if (!found.length) {
        const empty = document.createElement("li");
        empty.className = "picker-empty";
        empty.textContent = "No customer matches.";
        list.appendChild(empty);
      }
      found.forEach((item, i) => {
        const option = document.createElement("li");
        option.id = `${listId}-${i}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.customerId = item.id;
        const name = document.createElement("span");
        name.textContent = item.name;
        const domain = document.createElement("small");
        domain.className = "muted";
        domain.textContent = ` ${item.domain}`;
        option.append(name, domain);
        // mousedown, not click: it fires before the input's blur closes the list.
        option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    async function lookup() {
      const query = input.value.trim();
      const mine = ++asked;
      if (!query) { show([], ""); return; }
      const url = new URL(input.dataset.customerLookup, window.location.href);
      url.searchParams.set("q", query);
      try {
        const response = await fetch(url, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!response.ok) return;
        const body = await response.json();
        if (mine === asked) show(body.items || [], query); // an older answer arriving late is dropped
      } catch (e) { /* offline or signed out: the box still works as a plain search field */ }
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(lookup, 150);
    });
    input.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault(); // choose, don't submit yet
        choose(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 100));
  }

  inputs.forEach(enhance);
})();
