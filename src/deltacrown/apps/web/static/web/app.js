/* DeltaCrown pages: theme, local times, API calls from forms and buttons, and the live client.
 *
 * Live updates: a page whose live region carries data-live-stream follows that WebSocket
 * stream (docs/realtime.md). It resumes from the last seq it saw (at first, the stream head the
 * page was rendered at), so a reconnect replays exactly what was missed. A live score is
 * written straight into the page; any other event re-fetches the live region through htmx
 * (debounced). Without a stream (no WebSocket, a private tournament, repeated failures) the
 * region is re-fetched every POLL_MS instead. The indicator in the header says which it is.
 */
(function () {
  "use strict";

  // A page may shorten the polling interval (the browser tests do, to see it work quickly).
  var POLL_MS = window.dcPollMs || 15000;
  var REFRESH_DEBOUNCE_MS = 250;
  var FINAL_CLOSE_CODES = [4001, 4003, 4011];
  var doc = document;
  var root = doc.documentElement;

  /* --- theme ------------------------------------------------------------------------------ */

  function currentTheme() {
    if (root.dataset.theme) return root.dataset.theme;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function setupTheme() {
    var button = doc.getElementById("theme-toggle");
    if (!button) return;
    var render = function () {
      var dark = currentTheme() === "dark";
      button.setAttribute("aria-pressed", dark ? "true" : "false");
    };
    button.hidden = false;
    render();
    button.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("dc-theme", next); } catch (e) { /* private mode */ }
      render();
    });
  }

  /* --- times in the reader's zone ------------------------------------------------------------ */

  var formats = {};
  function localize(scope) {
    if (!window.Intl) return;
    scope.querySelectorAll("time[data-local]").forEach(function (el) {
      var style = el.getAttribute("data-local");
      if (!formats[style]) {
        formats[style] = new Intl.DateTimeFormat(undefined, style === "date"
          ? { dateStyle: "medium" }
          : style === "time" ? { timeStyle: "medium" } : { dateStyle: "medium", timeStyle: "short" });
      }
      var moment = new Date(el.getAttribute("datetime"));
      if (!isNaN(moment)) el.textContent = formats[style].format(moment);
    });
  }

  /* --- API calls ------------------------------------------------------------------------------ */

  function csrfToken() {
    var meta = doc.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  /* Calls the API with the session; resolves with the JSON body, rejects with the problem. */
  function api(method, url, body, key) {
    var headers = { "Accept": "application/json", "X-CSRFToken": csrfToken() };
    if (method !== "GET") headers["Idempotency-Key"] = key || newKey();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: method,
      headers: headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 204) return {};
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          data.status = data.status || response.status;
          throw data;
        }
        return data;
      });
    }, function () {
      throw { detail: "The server could not be reached. Check your connection and try again." };
    });
  }

  /* The JSON body of a form: fields named a.b become nested objects; data-type="int" fields
     become numbers, data-type="int-list" a list of numbers; empty optional values are left out. */
  function formBody(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "submit") return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      var value = el.value;
      var type = el.getAttribute("data-type");
      if (value === "" && !el.hasAttribute("data-keep-empty")) return;
      if (type === "int") value = parseInt(value, 10);
      var path = el.name.split(".");
      var target = body;
      for (var i = 0; i < path.length - 1; i++) {
        target[path[i]] = target[path[i]] || {};
        target = target[path[i]];
      }
      var last = path[path.length - 1];
      if (type === "int-list") {
        target[last] = target[last] || [];
        target[last].push(parseInt(value, 10));
      } else {
        target[last] = value;
      }
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-empty-object]"), function (el) {
      body[el.getAttribute("data-empty-object")] = body[el.getAttribute("data-empty-object")] || {};
    });
    return body;
  }

  function showProblem(container, problem) {
    var alert = container.querySelector("[data-form-error]");
    container.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; });
    container.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var unplaced = [];
    (problem.errors || []).forEach(function (error) {
      var slot = container.querySelector('[data-error-for="' + error.field + '"]');
      var input = container.querySelector('[name="' + error.field + '"]');
      if (slot) slot.textContent = error.message;
      else unplaced.push(error.message);
      if (input) input.setAttribute("aria-invalid", "true");
    });
    var text = problem.detail || problem.title || "Something went wrong.";
    if (unplaced.length) text += " " + unplaced.join(" ");
    if (alert) {
      alert.textContent = text;
      alert.focus && alert.focus();
    }
  }

  function done(el, data) {
    var next = el.getAttribute("data-success") || "refresh";
    if (next.indexOf("redirect:") === 0) {
      window.location.assign(next.slice(9));
    } else if (next === "reload") {
      window.location.reload();
    } else {
      var status = el.querySelector ? el.querySelector("[data-form-status]") : null;
      if (status) status.textContent = el.getAttribute("data-success-text") || "Saved.";
      live.refresh(0);
    }
    return data;
  }

  function busy(el, on) {
    var button = el.tagName === "BUTTON" ? el : el.querySelector('[type="submit"]');
    if (!button) return;
    button.disabled = on;
    button.setAttribute("aria-busy", on ? "true" : "false");
  }

  doc.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-api]");
    if (!form) return;
    event.preventDefault();
    var body = formBody(form);
    var method = (form.getAttribute("data-method") || "POST").toUpperCase();
    busy(form, true);
    var call = api(method, form.getAttribute("data-api"), body);
    var then = form.getAttribute("data-then");
    if (then === "signin") {
      // Sign-up, then sign in with the same credentials (the session starts at once).
      call = call.then(function () {
        return api("POST", "/api/v1/auth/login", { username: body.username, password: body.password });
      });
    }
    call.then(function (data) { done(form, data); }, function (problem) { showProblem(form, problem); })
      .then(function () { busy(form, false); });
  });

  doc.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-api-post], button[data-api-delete]");
    if (!button) return;
    event.preventDefault();
    if (button.hasAttribute("data-confirm") && !window.confirm(button.getAttribute("data-confirm"))) return;
    var method = button.hasAttribute("data-api-delete") ? "DELETE" : "POST";
    var url = button.getAttribute(method === "DELETE" ? "data-api-delete" : "data-api-post");
    var raw = button.getAttribute("data-body");
    var scope = button.closest("[data-action-scope]") || button.parentNode;
    busy(button, true);
    api(method, url, raw ? JSON.parse(raw) : undefined)
      .then(function (data) { done(button, data); }, function (problem) { showProblem(scope, problem); })
      .then(function () { busy(button, false); });
  });

  /* --- the live client -------------------------------------------------------------------------- */

  var live = {
    region: null,
    socket: null,
    lastSeq: null,
    retry: 500,
    pollTimer: null,
    refreshTimer: null,
    state: "off",

    indicate: function (state) {
      this.state = state;
      var el = doc.getElementById("conn");
      if (!el) return;
      var text = {
        connecting: "Connecting…",
        live: "Live",
        reconnecting: "Reconnecting…",
        polling: "Updates every " + POLL_MS / 1000 + " s"
      }[state];
      el.hidden = !text;
      el.setAttribute("data-state", state);
      el.textContent = text || "";
    },

    refresh: function (delay) {
      var region = doc.querySelector("[data-live]");
      if (!region || !window.htmx) return;
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(function () { htmx.trigger(region, "dc:refresh"); },
        delay === undefined ? REFRESH_DEBOUNCE_MS : delay);
    },

    poll: function (on) {
      var self = this;
      clearInterval(this.pollTimer);
      this.pollTimer = null;
      if (on) {
        this.pollTimer = setInterval(function () { self.refresh(0); }, POLL_MS);
      }
    },

    /* A live score goes straight into every card and scoreboard of the match. */
    applyScore: function (data) {
      var found = doc.querySelectorAll('[data-m="' + data.match_id + '"]');
      if (!found.length) return false;
      found.forEach(function (el) {
        (data.scores || []).forEach(function (score, slot) {
          el.querySelectorAll('[data-s="' + slot + '"]').forEach(function (cell) { cell.textContent = score; });
        });
      });
      return true;
    },

    onMessage: function (message) {
      if (message.type === "snapshot") {
        this.lastSeq = message.seq;
        this.refresh();
      } else if (message.type === "event") {
        this.lastSeq = message.seq;
        var scored = message.event === "match.score_updated" && this.applyScore(message.data || {});
        if (!scored || this.region.hasAttribute("data-live-every")) this.refresh();
      } else if (message.type === "gap") {
        this.send({ type: "resume", last_seq: this.lastSeq });
      } else if (message.type === "ping") {
        this.send({ type: "pong" });
      }
    },

    send: function (message) {
      if (this.socket && this.socket.readyState === 1) this.socket.send(JSON.stringify(message));
    },

    connect: function () {
      var self = this;
      var path = this.region.getAttribute("data-live-stream");
      var query = this.lastSeq === null ? "" : "?last_seq=" + this.lastSeq;
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var socket;
      try {
        socket = new WebSocket(scheme + location.host + path + query);
      } catch (e) {
        this.indicate("polling");
        this.poll(true);
        return;
      }
      this.socket = socket;
      socket.onopen = function () {
        self.retry = 500;
        self.indicate("live");
        self.poll(false);
      };
      socket.onmessage = function (frame) {
        try { self.onMessage(JSON.parse(frame.data)); } catch (e) { /* a malformed frame */ }
      };
      socket.onclose = function (closing) {
        self.socket = null;
        if (FINAL_CLOSE_CODES.indexOf(closing.code) !== -1) {
          // Not allowed to follow this stream (a private tournament): poll instead.
          self.indicate("polling");
          self.poll(true);
          return;
        }
        self.indicate("reconnecting");
        self.poll(true);
        setTimeout(function () { self.connect(); }, self.retry);
        self.retry = Math.min(self.retry * 2, 15000);
      };
    },

    start: function () {
      this.region = doc.querySelector("[data-live]");
      if (!this.region) return;
      var seq = this.region.getAttribute("data-seq");
      this.lastSeq = seq === null ? null : parseInt(seq, 10);
      if (!this.region.getAttribute("data-live-stream") || !("WebSocket" in window)) {
        this.indicate("polling");
        this.poll(true);
        return;
      }
      this.indicate("connecting");
      this.connect();
    }
  };
  window.dcLive = live;

  /* --- htmx swaps: keep horizontal scroll positions, localize new times ------------------------- */

  var scrolls = {};
  doc.addEventListener("htmx:beforeSwap", function () {
    doc.querySelectorAll("[data-keep-scroll]").forEach(function (el) {
      scrolls[el.getAttribute("data-keep-scroll")] = el.scrollLeft;
    });
  });
  doc.addEventListener("htmx:afterSwap", function (event) {
    localize(event.target.parentNode || doc);
    doc.querySelectorAll("[data-keep-scroll]").forEach(function (el) {
      var left = scrolls[el.getAttribute("data-keep-scroll")];
      if (left) el.scrollLeft = left;
    });
    live.region = doc.querySelector("[data-live]") || live.region;
  });

  doc.addEventListener("DOMContentLoaded", function () {
    setupTheme();
    localize(doc);
    live.start();
  });
})();
