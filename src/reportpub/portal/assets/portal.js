/* reportpub portal: language switch, catalogue search and filters, snippet URLs and copy buttons.
   Runs from file:// as well as over HTTP: it reads data embedded in the page and fetches nothing. */
(function () {
  "use strict";
  var KEY = "reportpub.lang";
  var root = document.documentElement;

  function storedLang() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function setLang(lang, save) {
    lang = lang === "en" ? "en" : "zh";
    root.setAttribute("data-lang", lang);
    root.setAttribute("lang", lang === "en" ? "en" : "zh-CN");
    var title = root.getAttribute("data-title-" + lang);
    if (title) { document.title = title; }
    document.querySelectorAll("[data-ph-" + lang + "]").forEach(function (el) {
      el.setAttribute("placeholder", el.getAttribute("data-ph-" + lang));
    });
    document.querySelectorAll("option[data-" + lang + "]").forEach(function (el) {
      el.textContent = el.getAttribute("data-" + lang);
    });
    if (save) { try { window.localStorage.setItem(KEY, lang); } catch (e) { /* private mode */ } }
  }

  // Before the body is parsed: no flash of the wrong language.
  if (storedLang()) { root.setAttribute("data-lang", storedLang() === "en" ? "en" : "zh"); }

  function initCatalog() {
    var dataEl = document.getElementById("catalog-data");
    var list = document.getElementById("datasets");
    if (!dataEl || !list) { return; }
    var records = {};
    (JSON.parse(dataEl.textContent).datasets || []).forEach(function (r) {
      var words = [r.name, r.title, r.title_en, r.publisher, r.period, r.version].concat(r.subjects || []);
      (r.indicators || []).forEach(function (i) { words.push(i.en, i.zh); });
      r.haystack = words.join(" \u0001 ").toLowerCase();
      records[r.name] = r;
    });
    var q = document.getElementById("q");
    var fPublisher = document.getElementById("f-publisher");
    var fYear = document.getElementById("f-year");
    var fIndicator = document.getElementById("f-indicator");
    var items = list.querySelectorAll("li[data-name]");

    function apply() {
      var terms = q.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (li) {
        var r = records[li.getAttribute("data-name")];
        var ok = !!r && terms.every(function (t) { return r.haystack.indexOf(t) >= 0; }) &&
          (!fPublisher.value || (r.publishers || []).indexOf(fPublisher.value) >= 0) &&
          (!fYear.value || (r.years || []).indexOf(Number(fYear.value)) >= 0) &&
          (!fIndicator.value || (r.indicators || []).some(function (i) { return i.en === fIndicator.value; }));
        li.hidden = !ok;
        if (ok) { shown += 1; }
      });
      document.querySelectorAll("#count .n").forEach(function (el) { el.textContent = String(shown); });
      var empty = document.getElementById("empty");
      if (empty) { empty.hidden = shown !== 0; }
    }

    [q, fPublisher, fYear, fIndicator].forEach(function (el) {
      el.addEventListener("input", apply);
      el.addEventListener("change", apply);
    });
    document.getElementById("filters").addEventListener("reset", function () { window.setTimeout(apply, 0); });
    apply();
  }

  function initSnippets() {
    document.querySelectorAll(".url[data-rel]").forEach(function (el) {
      try { el.textContent = new URL(el.getAttribute("data-rel"), window.location.href).href; } catch (e) { /* keep relative */ }
    });
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-copy"));
        if (!target) { return; }
        var text = target.textContent;
        function fallback() {
          var range = document.createRange();
          range.selectNodeContents(target);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          try { document.execCommand("copy"); } catch (e) { /* the text stays selected */ }
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).catch(fallback);
        } else {
          fallback();
        }
        button.classList.add("copied");
      });
    });
  }

  // Tables of class "sortable": a click on a header sorts by that column (numbers by data-sort).
  function initSortable() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      table.querySelectorAll("thead th").forEach(function (th, col) {
        th.setAttribute("role", "button");
        th.addEventListener("click", function () {
          var body = table.tBodies[0];
          var asc = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", asc ? "ascending" : "descending");
          var key = function (tr) {
            var cell = tr.cells[col];
            if (!cell) { return ""; }
            var n = cell.getAttribute("data-sort");
            return n !== null && n !== "" && !isNaN(Number(n)) ? Number(n) : cell.textContent.trim();
          };
          Array.prototype.slice.call(body.rows).sort(function (a, b) {
            var x = key(a), y = key(b);
            var c = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y), "zh");
            return asc ? c : -c;
          }).forEach(function (tr) { body.appendChild(tr); });
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setLang(root.getAttribute("data-lang"), false);
    document.querySelectorAll("[data-lang-toggle]").forEach(function (button) {
      button.addEventListener("click", function () {
        setLang(root.getAttribute("data-lang") === "en" ? "zh" : "en", true);
      });
    });
    initCatalog();
    initSnippets();
    initSortable();
  });
})();
