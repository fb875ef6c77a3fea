// stockctl's pages, live: every element with data-live="URL" is fetched again from URL
// when the server's event stream says the ledger changed. No framework, nothing loaded
// from elsewhere.
(function () {
  "use strict";
  var body = document.body;
  var indicator = document.getElementById("live");
  var live = document.querySelectorAll("[data-live]");
  // The version the page was rendered at (-1: a page with nothing live).
  var version = Number(body.getAttribute("data-version") || -1), busy = false, again = false;

  function status(text, state) {
    if (!indicator) return;
    indicator.textContent = text;
    indicator.setAttribute("data-status", state);
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var jobs = Array.prototype.map.call(live, function (el) {
      return fetch(el.getAttribute("data-live"), { headers: { "Accept": "text/html" }, credentials: "same-origin", cache: "no-store" })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
        .then(function (html) { el.innerHTML = html; });
    });
    Promise.all(jobs).then(function () {
      if (indicator && indicator.getAttribute("data-status") === "error") status("live", "live");
      body.setAttribute("data-version", String(version));
      body.setAttribute("data-refreshes", String(Number(body.getAttribute("data-refreshes") || 0) + 1));
    }, function (err) {
      status("update failed: " + err.message, "error");
    }).then(function () {
      busy = false;
      if (again) { again = false; refresh(); }
    });
  }

  if (window.EventSource) {
    var es = new EventSource("/api/events");
    es.addEventListener("hello", function (e) {
      var d = JSON.parse(e.data);
      status(d.status === "live" ? "live" : d.status, d.status === "live" ? "live" : "down");
      // Anything that changed since the page was rendered, or while reconnecting, is
      // fetched.
      if (version >= 0 && d.version !== version && live.length) refresh();
      version = d.version;
      body.setAttribute("data-version", String(version));
    });
    es.addEventListener("change", function (e) {
      version = JSON.parse(e.data).version;
      if (live.length) refresh(); else body.setAttribute("data-version", String(version));
    });
    es.addEventListener("status", function (e) {
      var s = JSON.parse(e.data).status;
      status(s === "live" ? "live" : s, s === "live" ? "live" : "down");
    });
    es.onerror = function () { status("reconnecting…", "down"); };
  } else {
    status("reload to update", "off");
  }

  // A form is sent once: a second click while the first is on its way does nothing (and
  // the server records a form's operation once anyway).
  Array.prototype.forEach.call(document.querySelectorAll("form[data-once]"), function (form) {
    form.addEventListener("submit", function (e) {
      if (form.getAttribute("data-sent")) { e.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      var b = form.querySelector("button[type=submit]");
      if (b) b.disabled = true;
    });
  });

  // A refused form puts the keyboard on its first invalid field. The server marks it
  // autofocus; a browser that skipped that (the page restored from its cache) gets it
  // here.
  var invalid = document.querySelector("form.entry input[aria-invalid=true], form.entry fieldset[aria-invalid=true] input");
  if (invalid && (!document.activeElement || document.activeElement === body)) invalid.focus();

  // On a phone the product page's entry form folds into a line under the stock, so the
  // stock and its chart stay on the first screen; it stays open when it has something to
  // say (an error) or a wide screen has room for it beside them.
  var box = document.getElementById("entry-box");
  if (box && window.matchMedia && window.matchMedia("(max-width: 800px)").matches && !box.querySelector(".error")) {
    box.open = false;
  }

  // An event ID shows its first characters; a click (or Enter) copies the whole of it,
  // which void and correct take. The live part is replaced as the ledger moves: the
  // listener sits on the document.
  function copyID(e) {
    var el = e.target && e.target.closest ? e.target.closest("code.event-id") : null;
    if (!el || (e.type === "keydown" && e.key !== "Enter") || !navigator.clipboard) return;
    navigator.clipboard.writeText(el.textContent.trim()).then(function () {
      el.setAttribute("data-copied", "1");
      setTimeout(function () { el.removeAttribute("data-copied"); }, 1500);
    }, function () {});
  }
  document.addEventListener("click", copyID);
  document.addEventListener("keydown", copyID);

  // The entry form shows the chosen product's current stock.
  var product = document.getElementById("product"), hint = document.getElementById("product-stock");
  if (product && hint) {
    var timer;
    product.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var id = product.value.trim();
        if (!id) { hint.textContent = ""; return; }
        fetch("/api/stock?product=" + encodeURIComponent(id), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { products: [] }; })
          .then(function (d) {
            if (product.value.trim() !== id) return;
            // Written as the page writes quantities: separators, two decimals.
            hint.textContent = d.products.length ? "in stock: " + Number(d.products[0].stock).toLocaleString(navigator.language,
              { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + (document.getElementById("location") ? " in all locations" : "") : "new product";
          }, function () {});
      }, 150);
    });
  }
})();
