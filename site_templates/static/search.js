/* The site's search: the only script, loaded by the search page alone. It reads the static
   index the build writes (crawler/site/search.py documents its files): the index comes in
   shards (the form's data-bundles, newest first), each with an entry file naming its buckets,
   bucket files of terms and their postings, and files of result lines. A query fetches, from
   every shard at once, only the bucket of each word, then the result lines it shows; every
   file is fetched once. Every word must match (the last one, while typed, as a prefix; the
   others exactly or with up to 3 more letters); stories matching more words in their title
   come first, then the newest. Links start from the site's own folder (data-base), so the site
   works at any base path. Results are built with DOM methods only: a title is always text. */
(function () {
  "use strict";

  var FORMAT_VERSION = 1;
  var PAGE = 20;
  var MORE_LETTERS = 3;
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  // The same classes as crawler/site/search.py: accents (after NFKD), and what makes a term.
  var MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+/g;
  var TERM = /[\p{L}\p{N}\p{M}]+/gu;

  /* A text's search terms, as the index has them: NFKD, no accents, lowercase. */
  function tokens(text) {
    return text.normalize("NFKD").replace(MARKS, "").toLowerCase().match(TERM) || [];
  }

  /* The bucket holding a term: its first `width` characters (the shard's entry says). */
  function bucketKey(term, width) {
    return Array.from(term).slice(0, width).join("");
  }

  /* The bucket's file name: the characters themselves when ASCII letters or digits, else
     "u" and their code points in hex. */
  function bucketFile(key) {
    if (/^[a-z0-9]{1,2}$/.test(key)) {
      return key;
    }
    return "u" + Array.from(key, function (c) {
      return c.codePointAt(0).toString(16);
    }).join("-");
  }

  if (typeof module === "object" && module.exports) { // node, for the tests
    module.exports = { tokens: tokens, bucketKey: bucketKey, bucketFile: bucketFile };
    return;
  }

  var form = document.getElementById("search");
  if (!form || !window.fetch) {
    return;
  }
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var base = new URL(form.getAttribute("data-base") || "./", window.location.href).pathname;
  var shards = (form.getAttribute("data-bundles") || "").split(" ").filter(Boolean).map(
    function (folder) { return base + folder + "/"; }
  );
  var files = new Map();
  var generation = 0;
  var found = [];
  var shown = 0;
  var matchers = [];

  function getJSON(url) {
    if (!files.has(url)) {
      files.set(url, fetch(url).then(function (response) {
        if (!response.ok) {
          throw new Error(url + ": " + response.status);
        }
        return response.json();
      }).catch(function (error) {
        files.delete(url); // try again with the next query
        throw error;
      }));
    }
    return files.get(url);
  }

  function entry(shard) {
    return getJSON(shard + "entry.json").then(function (data) {
      if (data.v !== FORMAT_VERSION) {
        throw new Error(shard + ": index format " + data.v);
      }
      if (!data.bucketSet) {
        data.bucketSet = new Set(data.buckets);
      }
      return data;
    });
  }

  /* What a query word matches: a prefix while it is typed, else itself or a longer form. */
  function matcher(word, prefix) {
    return {
      word: word,
      test: function (term) {
        return term === word || (term.startsWith(word) &&
          (prefix || term.length - word.length <= MORE_LETTERS));
      }
    };
  }

  /* Story number -> whether a matching term is in its title, from a bucket's postings. */
  function hits(bucket, match) {
    var stories = new Map();
    Object.keys(bucket).forEach(function (term) {
      if (!match.test(term)) {
        return;
      }
      var number = 0;
      bucket[term].forEach(function (value) {
        number += value >> 1;
        stories.set(number, stories.get(number) || (value & 1) === 1);
      });
    });
    return stories;
  }

  /* The stories of one shard that match every word: [{shard, number, titleHits}]. */
  async function searchShard(shard, index, words) {
    var info = await entry(shard);
    var keys = words.map(function (m) { return bucketKey(m.word, info.width); });
    if (!keys.every(function (key) { return info.bucketSet.has(key); })) {
      return [];
    }
    var perWord = await Promise.all(words.map(async function (m, i) {
      return hits(await getJSON(shard + "t/" + bucketFile(keys[i]) + ".json"), m);
    }));
    perWord.sort(function (a, b) { return a.size - b.size; });
    var results = [];
    Array.from(perWord[0].keys()).forEach(function (number) {
      if (perWord.every(function (stories) { return stories.has(number); })) {
        var titleHits = perWord.filter(function (stories) { return stories.get(number); }).length;
        results.push({ shard: index, number: number, titleHits: titleHits });
      }
    });
    return results;
  }

  async function resultLine(result) {
    var shard = shards[result.shard];
    var info = await entry(shard);
    var lines = await getJSON(shard + "d/" + Math.floor(result.number / info.per) + ".json");
    return lines[result.number % info.per];
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  /* The text into `parent`, each word the query matched in a <mark>. */
  function highlighted(parent, text) {
    var at = 0;
    text.replace(TERM, function (word, offset) {
      var matched = tokens(word).some(function (term) {
        return matchers.some(function (m) { return m.test(term); });
      });
      if (matched) {
        parent.appendChild(document.createTextNode(text.slice(at, offset)));
        parent.appendChild(element("mark", "", word));
        at = offset + word.length;
      }
      return word;
    });
    parent.appendChild(document.createTextNode(text.slice(at)));
    return parent;
  }

  function humanDate(iso) {
    var parts = iso.split("-").map(Number);
    return parts[2] + " " + MONTHS[parts[1] - 1] + " " + parts[0];
  }

  /* [path, title, ISO date, credit, excerpt, language?] -> a list item like the site's lists. */
  function item(line) {
    var li = element("li", "story-item search-result");
    if (line[5]) {
      li.lang = line[5];
    }
    var heading = element("h2", "story-item-title");
    var link = element("a");
    link.href = base + line[0];
    heading.appendChild(highlighted(link, line[1]));
    li.appendChild(heading);
    var meta = element("p", "meta");
    var time = element("time", "", humanDate(line[2]));
    time.dateTime = line[2];
    meta.appendChild(time);
    var sep = element("span", "sep", "·");
    sep.setAttribute("aria-hidden", "true");
    meta.appendChild(sep);
    meta.appendChild(element("span", "credit", "Source: " + line[3]));
    li.appendChild(meta);
    if (line[4]) {
      li.appendChild(highlighted(element("p", "lede"), line[4]));
    }
    return li;
  }

  function say(message) {
    status.textContent = message;
  }

  function count(n) {
    if (n === 0) {
      return "No stories found";
    }
    return n.toLocaleString("en") + (n === 1 ? " story found" : " stories found");
  }

  /* The result lines of `found` from `from` on, a page of them. */
  function page(results, from) {
    return Promise.all(results.slice(from, from + PAGE).map(resultLine));
  }

  function append(lines) {
    var items = lines.map(item);
    items.forEach(function (li) { list.appendChild(li); });
    shown += items.length;
    more.hidden = shown >= found.length;
    return items;
  }

  async function run(query) {
    generation += 1;
    var current = generation;
    var url = new URL(window.location.href);
    if (query.trim()) {
      url.searchParams.set("q", query);
    } else {
      url.searchParams.delete("q");
    }
    window.history.replaceState(null, "", url);
    var words = Array.from(new Set(tokens(query)));
    var typed = !/\s$/.test(query); // the last word is still being typed
    var wanted = words.map(function (word, i) {
      return matcher(word, typed && i === words.length - 1);
    });
    try {
      var perShard = await Promise.all(shards.map(function (shard, index) {
        return wanted.length ? searchShard(shard, index, wanted) : [];
      }));
      var results = [].concat.apply([], perShard).sort(function (a, b) {
        return b.titleHits - a.titleHits || a.shard - b.shard || b.number - a.number;
      });
      var lines = await page(results, 0);
      if (current !== generation) {
        return;
      }
      found = results;
      matchers = wanted;
      shown = 0;
      list.textContent = "";
      append(lines);
      say(wanted.length ? count(found.length) : "");
    } catch (error) {
      if (current === generation) {
        say("Search is unavailable: the index could not be loaded.");
      }
    }
  }

  more.addEventListener("click", async function () {
    var current = generation;
    try {
      var lines = await page(found, shown);
      if (current === generation && lines.length) {
        append(lines)[0].querySelector("a").focus();
      }
    } catch (error) {
      say("Search is unavailable: the index could not be loaded.");
    }
  });

  var pending = 0;
  input.addEventListener("input", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { run(input.value); }, 120);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(pending);
    run(input.value);
  });

  form.hidden = false;
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    run(initial);
  }
})();
