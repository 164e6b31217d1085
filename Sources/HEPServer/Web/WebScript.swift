extension WebAssets {
    /// The page script: the write token (kept in the tab's sessionStorage), upload, tag, delete, "try it"
    /// and the metrics panel's refresh. Server answers are inserted as text only (never as markup).
    static let script = #"""
        "use strict";
        (function () {
          var TOKEN_KEY = "hepml-token", FLASH_KEY = "hepml-flash";
          function $(sel) { return document.querySelector(sel); }
          function tokenField() { return $("#token"); }
          function token() { var f = tokenField(); return f ? f.value.trim() : ""; }
          function authHeaders(extra) {
            var h = extra || {};
            var t = token();
            if (t) { h["Authorization"] = "Bearer " + t; }
            return h;
          }
          function say(el, text, ok) {
            if (!el) { return; }
            el.textContent = text;
            el.classList.remove("ok", "error");
            el.classList.add(ok ? "ok" : "error");
          }
          function flashNext(text) { sessionStorage.setItem(FLASH_KEY, text); }
          function errorText(status, body) {
            try {
              var obj = JSON.parse(body);
              if (obj && typeof obj.error === "string") { return "HTTP " + status + ": " + obj.error; }
            } catch (e) { /* not JSON */ }
            return "HTTP " + status + (body ? ": " + body.slice(0, 500) : "");
          }
          function call(method, url, body, headers) {
            return fetch(url, { method: method, body: body, headers: authHeaders(headers), credentials: "same-origin" })
              .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, status: r.status, text: t }; }); })
              .catch(function (e) { return { ok: false, status: 0, text: String(e) }; });
          }
          function modelPath(name) { return "/ui/models/" + encodeURIComponent(name); }

          function setUpToken() {
            var f = tokenField();
            if (!f) { return; }
            f.value = sessionStorage.getItem(TOKEN_KEY) || "";
            f.addEventListener("change", function () { sessionStorage.setItem(TOKEN_KEY, f.value.trim()); });
          }

          function showFlash() {
            var text = sessionStorage.getItem(FLASH_KEY);
            if (text) {
              sessionStorage.removeItem(FLASH_KEY);
              say($("#flash"), text, true);
            }
          }

          function setUpUpload() {
            var form = $("#upload-form");
            if (!form) { return; }
            form.addEventListener("submit", function (ev) {
              ev.preventDefault();
              var status = $("#upload-status");
              var tarball = $("#upload-tarball").files[0];
              var request;
              if (tarball) {
                request = call("POST", "/upload", tarball, { "Content-Type": "application/octet-stream" });
              } else {
                var name = $("#upload-name").value.trim();
                var model = $("#upload-model").files[0];
                if (!name || !model) {
                  say(status, "Choose a tarball, or give a model name and a model file.", false);
                  return;
                }
                var labels = $("#upload-labels").files[0];
                var params = { name: name, model: model.name };
                var description = $("#upload-description").value.trim();
                if (description) { params.description = description; }
                if (labels) { params.labels = labels.name; }
                var data = new FormData();
                data.append("name", name);
                data.append("params", JSON.stringify(params));
                data.append("model", model, model.name);
                if (labels) { data.append("labels", labels, labels.name); }
                request = call("POST", "/upload", data);
              }
              say(status, "Uploading…", true);
              request.then(function (r) {
                if (!r.ok) { say(status, errorText(r.status, r.text), false); return; }
                var answer = {};
                try { answer = JSON.parse(r.text); } catch (e) { answer = {}; }
                flashNext("Uploaded model '" + (answer.name || "") + "' (versions " + (answer.versions || []).join(", ") + ").");
                window.location.reload();
              });
            });
          }

          function setUpModelActions() {
            var model = document.body.dataset.model;
            var del = $("#delete-button");
            if (del && model) {
              del.addEventListener("click", function () {
                if (!window.confirm("Delete model '" + model + "' and all its versions?")) { return; }
                call("DELETE", "/delete/" + encodeURIComponent(model)).then(function (r) {
                  if (!r.ok) { say($("#delete-status"), errorText(r.status, r.text), false); return; }
                  flashNext("Deleted model '" + model + "'.");
                  window.location.assign("/");
                });
              });
            }
            var tagForm = $("#tag-form");
            if (tagForm && model) {
              tagForm.addEventListener("submit", function (ev) {
                ev.preventDefault();
                var tag = $("#tag-name").value.trim();
                var version = parseInt($("#tag-version").value, 10);
                var body = JSON.stringify({ model: model, tag: tag, version: version });
                call("POST", "/tag", body, { "Content-Type": "application/json" }).then(function (r) {
                  if (!r.ok) { say($("#tag-status"), errorText(r.status, r.text), false); return; }
                  flashNext("Tagged version " + version + " of '" + model + "' as '" + tag + "'.");
                  window.location.reload();
                });
              });
            }
          }

          function setUpTryIt() {
            var form = $("#try-form");
            if (!form) { return; }
            form.addEventListener("submit", function (ev) {
              ev.preventDefault();
              var out = $("#try-answer");
              var body = $("#try-request").value;
              try { JSON.parse(body); } catch (e) { say(out, "The request is not valid JSON: " + e.message, false); return; }
              say(out, "Running…", true);
              call("POST", form.dataset.url, body, { "Content-Type": "application/json" }).then(function (r) {
                if (!r.ok) { say(out, errorText(r.status, r.text), false); return; }
                var text = r.text;
                try { text = JSON.stringify(JSON.parse(r.text), null, 2); } catch (e) { /* keep as sent */ }
                say(out, text, true);
              });
            });
          }

          var lastReading = null;
          function fmtDuration(s) {
            if (s === null || s === undefined) { return "–"; }
            if (s < 1e-3) { return (s * 1e6).toFixed(0) + " µs"; }
            if (s < 1) { return (s * 1e3).toFixed(2) + " ms"; }
            return s.toFixed(2) + " s";
          }
          function refreshMetrics() {
            var table = $("#metrics-table");
            if (!table) { return; }
            fetch("/ui/metrics.json", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
              .then(function (m) {
                if (!m) { return; }
                var only = document.body.dataset.page === "model" ? document.body.dataset.model : null;
                var previous = lastReading;
                lastReading = m;
                var body = table.tBodies[0];
                var rows = m.rows.filter(function (r) { return only === null || r.model === only; });
                var fresh = document.createElement("tbody");
                rows.forEach(function (r) {
                  var rate = m.uptime_seconds > 0 ? r.requests / m.uptime_seconds : 0;
                  if (previous) {
                    var before = previous.rows.filter(function (p) { return p.model === r.model && p.endpoint === r.endpoint; })[0];
                    var dt = m.uptime_seconds - previous.uptime_seconds;
                    if (dt > 0) { rate = (r.requests - (before ? before.requests : 0)) / dt; }
                  }
                  var observed = r.mean_seconds !== undefined && r.mean_seconds !== null;
                  var cells = [r.model, r.endpoint, String(r.requests), String(r.errors), rate.toFixed(2) + "/s",
                    fmtDuration(r.mean_seconds),
                    observed ? (r.p50_at_most_seconds != null ? fmtDuration(r.p50_at_most_seconds) : "> largest bucket") : "–",
                    observed ? (r.p99_at_most_seconds != null ? fmtDuration(r.p99_at_most_seconds) : "> largest bucket") : "–"];
                  var tr = document.createElement("tr");
                  cells.forEach(function (c) { var td = document.createElement("td"); td.textContent = c; tr.appendChild(td); });
                  fresh.appendChild(tr);
                });
                if (rows.length === 0) {
                  var tr = document.createElement("tr"), td = document.createElement("td");
                  td.colSpan = 8;
                  td.textContent = "No inference requests yet.";
                  tr.appendChild(td);
                  fresh.appendChild(tr);
                }
                table.replaceChild(fresh, body);
                var runs = $("#batching-table");
                if (runs && m.batching) {
                  var runRows = document.createElement("tbody");
                  m.batching.filter(function (b) { return only === null || b.model === only; }).forEach(function (b) {
                    var tr = document.createElement("tr");
                    [b.model, String(b.runs), b.mean_batch_size != null ? b.mean_batch_size.toFixed(2) : "–",
                      fmtDuration(b.mean_queue_seconds), fmtDuration(b.mean_compute_seconds)].forEach(function (c) {
                      var td = document.createElement("td"); td.textContent = c; tr.appendChild(td);
                    });
                    runRows.appendChild(tr);
                  });
                  if (runRows.rows.length === 0) {
                    var none = document.createElement("tr"), cell = document.createElement("td");
                    cell.colSpan = 5;
                    cell.textContent = "No model runs yet.";
                    none.appendChild(cell);
                    runRows.appendChild(none);
                  }
                  runs.replaceChild(runRows, runs.tBodies[0]);
                }
              })
              .catch(function () { /* the next refresh tries again */ });
          }

          document.addEventListener("DOMContentLoaded", function () {
            setUpToken();
            showFlash();
            setUpUpload();
            setUpModelActions();
            setUpTryIt();
            refreshMetrics();
            window.setInterval(refreshMetrics, 5000);
          });
        })();

        """#
}
