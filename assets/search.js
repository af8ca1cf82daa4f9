/*
 * Offline search for the CCHC site (no library, no network).
 * The index is window.CCHC_SEARCH, loaded from search-index.js by a plain
 * <script> tag, so it works from file:// where fetch() of local JSON is
 * blocked. Matching ignores case and Vietnamese diacritics (NFD, marks
 * stripped, đ -> d). Results are built with DOM methods and textContent only:
 * nothing from the index is ever parsed as HTML.
 */
(function () {
  "use strict";

  function fold(s) {
    return String(s || "")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase();
  }

  function terms(q) {
    return fold(q).split(/\s+/).filter(function (t) { return t.length > 0; });
  }

  // fold() maps every character to one character except combining marks,
  // which it drops; build the folded text with a map back to the original.
  function foldWithMap(s) {
    var out = "", map = [];
    for (var i = 0; i < s.length; i++) {
      var f = fold(s.charAt(i));
      for (var j = 0; j < f.length; j++) { out += f.charAt(j); map.push(i); }
    }
    return { text: out, map: map };
  }

  function snippet(text, firstTerm) {
    var fm = foldWithMap(text);
    var at = firstTerm ? fm.text.indexOf(firstTerm) : -1;
    if (at < 0) { return text.slice(0, 180) + (text.length > 180 ? " …" : ""); }
    var start = Math.max(0, fm.map[at] - 70);
    var end = Math.min(text.length, fm.map[at] + 110);
    if (start > 0) {                      // start and end on word boundaries
      var sp = text.indexOf(" ", start);
      if (sp >= 0 && sp < fm.map[at]) { start = sp + 1; }
    }
    if (end < text.length) {
      var ep = text.lastIndexOf(" ", end);
      if (ep > fm.map[at]) { end = ep; }
    }
    return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
  }

  function search(index, q) {
    var ts = terms(q);
    if (!ts.length) { return []; }
    var hits = [];
    index.forEach(function (page) {
      var title = fold(page.title), body = fold(page.text);
      var score = 0;
      for (var i = 0; i < ts.length; i++) {
        var inTitle = title.indexOf(ts[i]) >= 0, inBody = body.indexOf(ts[i]) >= 0;
        if (!inTitle && !inBody) { return; }       // every term must occur
        score += (inTitle ? 10 : 0) + (inBody ? 1 : 0);
      }
      hits.push({ page: page, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score || (a.page.url < b.page.url ? -1 : 1); });
    return hits;
  }

  function show(results, q, hits, ts) {
    while (results.firstChild) { results.removeChild(results.firstChild); }
    var status = document.createElement("p");
    status.className = "search-status";
    if (!ts.length) {
      status.textContent = "Nhập từ khóa để tìm trong các trang của trang web.";
      results.appendChild(status);
      return;
    }
    status.textContent = hits.length
      ? "Tìm thấy " + hits.length + " trang có \u201c" + q + "\u201d."
      : "Không tìm thấy trang nào có \u201c" + q + "\u201d.";
    results.appendChild(status);
    if (!hits.length) { return; }
    var list = document.createElement("ol");
    list.className = "search-results-list";
    hits.forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = h.page.url;                // site-relative; this page is at the site root
      a.textContent = h.page.title;
      var p = document.createElement("p");
      p.className = "search-snippet";
      p.textContent = snippet(h.page.text || "", ts[0]);
      li.appendChild(a);
      li.appendChild(p);
      list.appendChild(li);
    });
    results.appendChild(list);
  }

  function init() {
    var form = document.getElementById("search-form");
    var input = document.getElementById("q");
    var results = document.getElementById("search-results");
    if (!form || !input || !results) { return; }
    var index = Array.isArray(window.CCHC_SEARCH) ? window.CCHC_SEARCH : [];

    function run(q) {
      var ts = terms(q);
      show(results, q, search(index, q), ts);
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var q = input.value.trim();
      run(q);
      try {
        var url = new URL(window.location.href);
        url.searchParams.set("q", q);
        window.history.replaceState(null, "", url.toString());
      } catch (e) { /* file:// in some browsers: the results are shown anyway */ }
    });

    var initial = "";
    try { initial = new URLSearchParams(window.location.search).get("q") || ""; } catch (e) {}
    if (initial) {
      input.value = initial;
      run(initial.trim());
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  window.CCHC_searchFold = fold;   // exposed for tests
})();
