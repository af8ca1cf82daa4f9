/*
 * The site's search page, on the Pagefind index built after rendering
 * (cchc/render/search.py): pagefind/pagefind.js loads only the index
 * fragments a query needs, from this site, never from another host.
 *
 * Ranking on top of Pagefind's score (which already folds diacritics and
 * ranks exact diacritics higher):
 *   1. the phrase exactly as typed (case-insensitive), then the phrase with
 *      diacritics folded, then the words scattered;
 *   2. the phrase in the title before the phrase only in the text;
 *   3. Pagefind's score; scores within 5 % count as a tie, and the newest
 *      quarter comes first on a tie; then the title the phrase fills most.
 * Snippets are cut from the page text around the phrase, on word
 * boundaries. Results are built with DOM methods and textContent only.
 */
(function () {
  "use strict";

  var MAX_SHOWN = 20;

  function fold(s) {
    return String(s || "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function squash(s) { return String(s || "").replace(/\s+/g, " ").trim(); }
  function lower(s) { return squash(s).normalize("NFC").toLowerCase(); }

  // fold() maps each character to at most one; keep the map back to the original
  function foldWithMap(s) {
    var out = "", map = [];
    for (var i = 0; i < s.length; i++) {
      var f = fold(s.charAt(i));
      for (var j = 0; j < f.length; j++) { out += f.charAt(j); map.push(i); }
    }
    return { text: out, map: map };
  }

  // [start, end) of the phrase in text: exact (case-insensitive) first, then folded
  function findPhrase(text, phrase) {
    var low = text.normalize("NFC").toLowerCase();
    var at = low.indexOf(phrase.toLowerCase());
    if (at >= 0) { return { tier: 3, start: at, end: at + phrase.length }; }
    var fm = foldWithMap(text), fp = fold(phrase);
    at = fm.text.indexOf(fp);
    if (at >= 0) {
      var last = at + fp.length - 1;
      return { tier: 2, start: fm.map[at], end: fm.map[last] + 1 };
    }
    return null;
  }

  function snippet(text, hit, words) {
    var start, end, ms = -1, me = -1;
    if (!hit) {                              // no phrase: around the first word found
      var fm = foldWithMap(text);
      for (var i = 0; i < words.length && ms < 0; i++) {
        var at = fm.text.indexOf(fold(words[i]));
        if (at >= 0) { ms = fm.map[at]; me = fm.map[at + fold(words[i]).length - 1] + 1; }
      }
    } else { ms = hit.start; me = hit.end; }
    if (ms < 0) { return { before: text.slice(0, 200), mark: "", after: text.length > 200 ? " …" : "" }; }
    // from the start of the sentence holding the match (at most 90 characters back)
    start = Math.max(0, ms - 90);
    var dot = text.lastIndexOf(". ", ms);
    if (dot >= start) { start = dot + 2; } else if (start > 0) {
      var sp = text.indexOf(" ", start);
      start = sp >= 0 && sp < ms ? sp + 1 : start;
    }
    end = Math.min(text.length, me + 140);
    if (end < text.length) {
      var ep = text.lastIndexOf(" ", end);
      if (ep > me) { end = ep; }
    }
    return { before: (start > 0 ? "… " : "") + text.slice(start, ms), mark: text.slice(ms, me),
             after: text.slice(me, end) + (end < text.length ? " …" : "") };
  }

  function pageHref(d) {
    var href = (d.meta && d.meta.href) || d.url || "";
    return href.replace(/^\//, "");         // the search page sits at the site root
  }

  function rank(items, phrase, words) {
    items.forEach(function (it) {
      var title = squash(it.data.meta.title || "");
      var text = squash(it.data.content || "");
      var inTitle = findPhrase(title, phrase);
      var inText = findPhrase(text, phrase);
      var best = Math.max(inTitle ? inTitle.tier : 0, inText ? inText.tier : 0);
      var all = words.every(function (w) { return fold(title + " " + text).indexOf(fold(w)) >= 0; });
      it.tier = best || (all ? 1 : 0);
      it.inTitle = inTitle ? inTitle.tier : 0;
      it.fill = inTitle ? phrase.length / Math.max(1, title.length) : 0;
      it.bucket = Math.floor(Math.log(Math.max(it.score, 1e-9)) / Math.log(1.05));
      it.quarter = it.data.meta.quarter || "";
      it.hit = inText;
      it.text = text;
    });
    items.sort(function (a, b) {
      return (b.tier - a.tier) || (b.inTitle - a.inTitle) || (b.bucket - a.bucket) ||
        (a.quarter === b.quarter ? 0 : (a.quarter < b.quarter ? 1 : -1)) ||
        (b.fill - a.fill) || (b.score - a.score) || (a.order - b.order);
    });
    return items;
  }

  var pagefind = null;
  function load() {
    if (!pagefind) {
      pagefind = import("../pagefind/pagefind.js").then(function (pf) {
        return pf.options({ baseUrl: "/", excerptLength: 30 }).then(function () { return pf; });
      });
    }
    return pagefind;
  }

  function run(q) {
    var phrase = squash(q);
    var words = phrase.split(" ").filter(Boolean);
    if (!words.length) { return Promise.resolve({ items: [], total: 0, phrase: phrase, words: words }); }
    return load().then(function (pf) {
      var quoted = words.length > 1 ? pf.search("\"" + phrase + "\"") : Promise.resolve({ results: [] });
      return Promise.all([pf.search(phrase), quoted]);
    }).then(function (found) {
      var seen = {}, picked = [];
      // every phrase match, then the best-scored others (each result loads one small fragment)
      found[1].results.slice(0, 40).concat(found[0].results.slice(0, 30)).forEach(function (r) {
        if (!seen[r.id]) { seen[r.id] = true; picked.push(r); }
      });
      var total = found[0].results.length;
      found[1].results.forEach(function (r) { if (!seen[r.id]) { total += 1; seen[r.id] = true; } });
      return Promise.all(picked.map(function (r, i) {
        return r.data().then(function (d) { return { data: d, score: r.score, order: i }; });
      })).then(function (items) {
        return { items: rank(items, phrase, words).filter(function (it) { return it.tier > 0; }),
                 total: total, phrase: phrase, words: words };
      });
    });
  }

  function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } }

  function show(status, list, q, res) {
    clear(list);
    if (!res.words.length) { status.textContent = "Nhập từ khóa để tìm trong các trang của trang web."; return; }
    var items = res.items.slice(0, MAX_SHOWN);
    status.textContent = items.length
      ? "Có " + res.items.length + " kết quả cho \u201c" + q + "\u201d" +
        (res.items.length > items.length ? ", hiển thị " + items.length + " kết quả đầu." : ".")
      : "Không tìm thấy kết quả nào cho \u201c" + q + "\u201d.";
    items.forEach(function (it) {
      var li = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "search-kind";
      kind.textContent = it.data.meta.kind || "Trang";
      var a = document.createElement("a");
      a.href = pageHref(it.data);
      a.textContent = it.data.meta.title || pageHref(it.data);
      var p = document.createElement("p");
      p.className = "search-snippet";
      var s = snippet(it.text, it.hit, res.words);
      p.appendChild(document.createTextNode(s.before));
      if (s.mark) {
        var m = document.createElement("mark");
        m.textContent = s.mark;
        p.appendChild(m);
      }
      p.appendChild(document.createTextNode(s.after));
      li.appendChild(kind);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(a);
      li.appendChild(p);
      list.appendChild(li);
    });
  }

  function init() {
    var form = document.getElementById("search-form");
    var input = document.getElementById("q");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results-list");
    if (!form || !input || !status || !list) { return; }
    if (window.location.protocol === "file:") {
      status.textContent = "Tìm kiếm cần mở trang web qua máy chủ (ví dụ lệnh “python pipeline.py serve”); " +
        "khi mở thẳng từ tệp trên máy, hãy dùng thanh điều hướng.";
      return;
    }
    var last = 0;
    function go(q) {
      var ticket = ++last;
      status.textContent = "Đang tìm…";
      run(q).then(function (res) {
        if (ticket === last) { show(status, list, q, res); }
      }, function () {
        if (ticket === last) { status.textContent = "Không tải được chỉ mục tìm kiếm. Vui lòng tải lại trang."; }
      });
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var q = squash(input.value);
      go(q);
      try {
        var url = new URL(window.location.href);
        url.searchParams.set("q", q);
        window.history.replaceState(null, "", url.toString());
      } catch (e) { /* the results are shown anyway */ }
    });
    var initial = "";
    try { initial = new URLSearchParams(window.location.search).get("q") || ""; } catch (e) { /* ignore */ }
    if (initial) {
      input.value = initial;
      go(squash(initial));
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  window.CCHC_searchFold = fold;   // exposed for tests
})();
