// The report's script: plain JavaScript, no framework, nothing fetched. It
// reads the embedded JSON, draws the scatter for the chosen view (the plane
// coordinates, ticks, projected means and covariances come from Swift; the
// script only maps them to pixels and turns each 2×2 covariance into an
// ellipse, as EllipseShape does), and wires hover/focus details, component
// highlighting, the certainty slider, the sortable and paged outlier table
// and the CSV download. With `#selftest` in the URL it drives those controls
// itself and writes the outcome into <div id="selftest" data-result="…">, which
// the browser tests read from the dumped DOM.

enum ReportScript {
    /// Installed before anything else runs, so every later error lands in the page (the tests read it).
    static let errorHandler = #"""
        window.onerror = function (message, source, line, column) {
          var box = document.getElementById("js-errors");
          var entry = document.createElement("div");
          entry.className = "js-error";
          entry.textContent = "script error: " + message + " (line " + line + ":" + column + ")";
          if (box) box.appendChild(entry); else document.documentElement.setAttribute("data-js-error", entry.textContent);
        };
        """#

    static let source = #"""
        "use strict";
        (function () {
          var D = JSON.parse(document.getElementById("report-data").textContent);
          var P = D.points, N = P.row.length, K = D.k, SVGNS = "http://www.w3.org/2000/svg";
          var area = { left: 84, top: 16, width: 650, height: 470 };
          var state = { view: "0", threshold: 1, component: -1, page: 0, sortKey: "lp", sortDir: 1 };
          var PAGE = 20;
          var certainty = P.p.map(function (row) { return Math.max.apply(null, row); });

          function el(name, attributes, parent) {
            var node = document.createElementNS(SVGNS, name);
            for (var key in attributes) node.setAttribute(key, attributes[key]);
            if (parent) parent.appendChild(node);
            return node;
          }
          function fmt(x, digits) {
            if (x === null || x === undefined) return "−∞";
            if (x === 0) return "0";
            var a = Math.abs(x);
            return (a >= 1e6 || a < 1e-4) ? x.toExponential(digits - 1) : String(+x.toPrecision(digits));
          }
          // Dot opacity for a certainty in [1/K, 1]: 0.12 at a tie, 0.9 when sure (as in gmm plot).
          function opacity(c) {
            var floor = 1 / K;
            if (floor >= 1) return 0.9;
            var t = Math.min(Math.max((c - floor) / (1 - floor), 0), 1);
            return 0.12 + 0.78 * t;
          }

          // ---- the scatter ------------------------------------------------------
          var svg = document.getElementById("scatter");
          var defs = el("defs", {}, svg);
          var clip = el("clipPath", { id: "scatter-area" }, defs);
          el("rect", { x: area.left, y: area.top, width: area.width, height: area.height }, clip);
          var gAxes = el("g", { "class": "axes" }, svg);
          var gPlot = el("g", { "clip-path": "url(#scatter-area)" }, svg);
          var gPoints = el("g", { "class": "points" }, gPlot);
          var gEllipses = el("g", { "class": "ellipses", "pointer-events": "none" }, gPlot);
          var circles = [], ellipses = [], means = [];
          for (var i = 0; i < N; i++) {
            circles.push(el("circle", { "class": "pt", r: 3.2, tabindex: 0, "data-p": i, fill: D.colors[P.c[i]],
              "fill-opacity": opacity(certainty[i]).toFixed(3),
              "aria-label": "row " + P.row[i] + ", component " + P.c[i] + ", max P(c|x) " + fmt(certainty[i], 4) }, gPoints));
          }
          for (var k = 0; k < K; k++) {
            for (var level = 0; level < 2; level++) {
              var e = el("ellipse", { "class": "ellipse-" + (level + 1) + "sigma", fill: "none", stroke: D.colors[k],
                "stroke-width": level ? 1.5 : 2 }, gEllipses);
              if (level) e.setAttribute("stroke-dasharray", "6 4");
              ellipses.push(e);
            }
            means.push(el("circle", { "class": "mean", r: 5.5, fill: D.colors[k], stroke: "#111", "stroke-width": 1.5 }, gEllipses));
          }

          // Features i and j as a view like the fixed ones: unit axes, their ticks, the covariances' 2×2 sub-blocks.
          function pairView(i, j) {
            var pairs = D.pairs, unit = function (k) { return D.features.map(function (_, m) { return m === k ? 1 : 0; }); };
            return { name: D.features[i] + " × " + D.features[j], x_label: D.features[i], y_label: D.features[j], note: "",
              axes: [unit(i), unit(j)], origin: D.features.map(function () { return 0; }),
              x_ticks: pairs.ticks[i], y_ticks: pairs.ticks[j],
              means: pairs.means.map(function (m) { return [m[i], m[j]]; }),
              covariances: pairs.covariances.map(function (c) { return [c[i][i], c[i][j], c[j][j]]; }) };
          }

          function drawView(v) {
            var xt = v.x_ticks, yt = v.y_ticks;
            var sx = area.width / (xt.upper - xt.lower), sy = area.height / (yt.upper - yt.lower);
            var px = function (x) { return area.left + (x - xt.lower) * sx; };
            var py = function (y) { return area.top + area.height - (y - yt.lower) * sy; };
            gAxes.textContent = "";
            el("rect", { x: area.left, y: area.top, width: area.width, height: area.height, fill: "none", stroke: "#333" }, gAxes);
            xt.values.forEach(function (x, j) {
              var at = px(x).toFixed(2);
              el("line", { x1: at, x2: at, y1: area.top, y2: area.top + area.height, stroke: "#ececec" }, gAxes);
              el("text", { x: at, y: area.top + area.height + 18, "text-anchor": "middle", "font-size": 12 }, gAxes).textContent = xt.labels[j];
            });
            yt.values.forEach(function (y, j) {
              var at = py(y).toFixed(2);
              el("line", { x1: area.left, x2: area.left + area.width, y1: at, y2: at, stroke: "#ececec" }, gAxes);
              el("text", { x: area.left - 7, y: +at + 4, "text-anchor": "end", "font-size": 12 }, gAxes).textContent = yt.labels[j];
            });
            el("text", { "class": "axis-label", x: area.left + area.width / 2, y: area.top + area.height + 42, "text-anchor": "middle",
              "font-size": 13 }, gAxes).textContent = v.x_label;
            var cy = area.top + area.height / 2;
            el("text", { "class": "axis-label", x: 22, y: cy, "text-anchor": "middle", "font-size": 13,
              transform: "rotate(-90 22 " + cy + ")" }, gAxes).textContent = v.y_label;
            for (var i = 0; i < N; i++) {
              var row = P.x[i], x = 0, y = 0;
              for (var j = 0; j < row.length; j++) {
                var centred = row[j] - v.origin[j];
                x += v.axes[0][j] * centred;
                y += v.axes[1][j] * centred;
              }
              circles[i].setAttribute("cx", px(x).toFixed(2));
              circles[i].setAttribute("cy", py(y).toFixed(2));
            }
            for (var k = 0; k < K; k++) {
              var m = v.means[k], c = v.covariances[k];
              var cx = px(m[0]), cyk = py(m[1]);
              // The covariance in pixels (y flipped), then the ellipse's axes as EllipseShape finds them.
              var a = sx * sx * c[0], b = -sx * sy * c[1], d = sy * sy * c[2];
              var mid = (a + d) / 2, half = Math.sqrt((a - d) * (a - d) / 4 + b * b);
              var degrees = 0.5 * Math.atan2(2 * b, a - d) * 180 / Math.PI;
              for (var level = 0; level < 2; level++) {
                var e = ellipses[2 * k + level], r = D.radii[level];
                e.setAttribute("cx", cx.toFixed(2)); e.setAttribute("cy", cyk.toFixed(2));
                e.setAttribute("rx", (r * Math.sqrt(Math.max(mid + half, 0))).toFixed(2));
                e.setAttribute("ry", (r * Math.sqrt(Math.max(mid - half, 0))).toFixed(2));
                e.setAttribute("transform", "rotate(" + degrees.toFixed(2) + " " + cx.toFixed(2) + " " + cyk.toFixed(2) + ")");
              }
              means[k].setAttribute("cx", cx.toFixed(2)); means[k].setAttribute("cy", cyk.toFixed(2));
            }
            document.getElementById("view-note").textContent = v.note;
          }

          // The fixed views (the two features, or the principal directions), then "two features" when there are more;
          // picking a feature in x or y switches to that view (the selects stay enabled so one step suffices).
          var viewSelect = document.getElementById("view");
          var xSelect = document.getElementById("x-feature"), ySelect = document.getElementById("y-feature");
          D.views.forEach(function (v, index) {
            var option = document.createElement("option");
            option.value = index; option.textContent = v.name;
            viewSelect.appendChild(option);
          });
          if (D.pairs) {
            var option = document.createElement("option");
            option.value = "pair"; option.textContent = "two features";
            viewSelect.appendChild(option);
            D.pairs.ticks.forEach(function (_, k) {
              [xSelect, ySelect].forEach(function (select) {
                var choice = document.createElement("option");
                choice.value = k; choice.textContent = D.features[k];
                select.appendChild(choice);
              });
            });
            xSelect.value = "0"; ySelect.value = "1";
          }
          viewSelect.disabled = viewSelect.options.length < 2;
          function redraw() {
            var pair = viewSelect.value === "pair";
            state.view = viewSelect.value;
            drawView(pair ? pairView(+xSelect.value, +ySelect.value) : D.views[+viewSelect.value]);
          }
          viewSelect.addEventListener("change", redraw);
          [xSelect, ySelect].forEach(function (select) {
            if (select) select.addEventListener("change", function () { viewSelect.value = "pair"; redraw(); });
          });

          // ---- details of one row -----------------------------------------------
          var tip = document.getElementById("tip"), wrap = tip.parentNode;
          function line(parent, text) { var div = document.createElement("div"); div.textContent = text; parent.appendChild(div); return div; }
          function showTip(i) {
            tip.textContent = "";
            var head = line(tip, "row " + P.row[i] + " · component " + P.c[i]);
            head.style.fontWeight = "600";
            D.kept.forEach(function (name, j) { line(tip, name + ": " + P.kept[i][j]); });
            line(tip, "P(c|x):");
            for (var k = 0; k < K; k++) {
              var bar = document.createElement("div"); bar.className = "bar-row";
              var label = document.createElement("span"); label.textContent = k; bar.appendChild(label);
              var track = document.createElement("span"); track.className = "bar";
              var fill = document.createElement("i");
              fill.style.width = (100 * P.p[i][k]).toFixed(1) + "%"; fill.style.background = D.colors[k];
              track.appendChild(fill); bar.appendChild(track);
              var value = document.createElement("span"); value.textContent = fmt(P.p[i][k], 4); bar.appendChild(value);
              tip.appendChild(bar);
            }
            line(tip, "log P(x): " + fmt(P.lp[i], 6));
            line(tip, "Mahalanobis²: " + (P.m2[i] === null ? "∞" : fmt(P.m2[i], 5)));
            line(tip, "tail probability: " + fmt(P.tail[i], 4));
            var box = circles[i].getBoundingClientRect(), frame = wrap.getBoundingClientRect();
            var left = box.left - frame.left + 12, top = box.top - frame.top + 12;
            tip.hidden = false;
            if (left + tip.offsetWidth > frame.width) left = Math.max(0, box.left - frame.left - tip.offsetWidth - 12);
            tip.style.left = left + "px"; tip.style.top = top + "px";
          }
          function hideTip() { tip.hidden = true; }
          svg.addEventListener("mouseover", function (event) { if (event.target.classList.contains("pt")) showTip(+event.target.dataset.p); });
          svg.addEventListener("focusin", function (event) { if (event.target.classList.contains("pt")) showTip(+event.target.dataset.p); });
          svg.addEventListener("mouseout", hideTip);
          svg.addEventListener("focusout", hideTip);

          // ---- highlighting a component, the certainty slider, the selection -----
          var pairPoints = Array.prototype.slice.call(document.querySelectorAll("#pairs circle.pp"));
          var componentRows = Array.prototype.slice.call(document.querySelectorAll("#component-table tr.comp"));
          function isShown(i) { return state.threshold >= 1 || certainty[i] < state.threshold; }
          function isSelected(i) { return isShown(i) && (state.component < 0 || P.c[i] === state.component); }
          function selected() { var out = []; for (var i = 0; i < N; i++) if (isSelected(i)) out.push(i); return out; }
          function applySelection() {
            var k = state.component;
            for (var i = 0; i < N; i++) {
              var mine = k >= 0 && P.c[i] === k;
              circles[i].classList.toggle("hl", mine);
              circles[i].classList.toggle("dim", k >= 0 && !mine);
              circles[i].classList.toggle("hidden", !isShown(i));
            }
            pairPoints.forEach(function (point) {
              var i = +point.dataset.p;
              point.classList.toggle("dim", k >= 0 && P.c[i] !== k);
              point.classList.toggle("hidden", !isShown(i));
            });
            componentRows.forEach(function (row) {
              var on = +row.dataset.k === k;
              row.classList.toggle("selected", on);
              row.setAttribute("aria-pressed", on ? "true" : "false");
            });
            renderTable();
            document.getElementById("selection-note").textContent = selected().length + " of " + N + " drawn rows selected"
              + (k >= 0 ? " (component " + k + ")" : "");
          }
          function chooseComponent(k) { state.component = state.component === k ? -1 : k; applySelection(); }
          componentRows.forEach(function (row) {
            row.addEventListener("click", function () { chooseComponent(+row.dataset.k); });
            row.addEventListener("keydown", function (event) {
              if (event.key === "Enter" || event.key === " ") { event.preventDefault(); chooseComponent(+row.dataset.k); }
            });
          });
          var slider = document.getElementById("certainty"), sliderValue = document.getElementById("certainty-value");
          slider.disabled = K < 2;   // one component: P(c|x) = 1 for every row
          slider.addEventListener("input", function () {
            state.threshold = +slider.value;
            sliderValue.textContent = state.threshold >= 1 ? "1 (all rows)" : slider.value;
            applySelection();
          });

          function csvCell(text) { text = String(text); return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text; }
          function selectedCsv() {
            var header = ["row"].concat(D.kept, D.features, ["component"],
              Array.apply(null, Array(K)).map(function (_, k) { return "p" + k; }), ["log_density", "mahalanobis2", "tail_probability"]);
            var lines = [header.map(csvCell).join(",")];
            selected().forEach(function (i) {
              var cells = [P.row[i]].concat(P.kept[i] || [], P.x[i], [P.c[i]], P.p[i],
                [P.lp[i] === null ? "-inf" : P.lp[i], P.m2[i] === null ? "inf" : P.m2[i], P.tail[i]]);
              lines.push(cells.map(csvCell).join(","));
            });
            return lines.join("\n") + "\n";
          }
          document.getElementById("download").addEventListener("click", function () {
            var url = URL.createObjectURL(new Blob([selectedCsv()], { type: "text/csv" }));
            var link = document.createElement("a");
            link.href = url; link.download = "selected-rows.csv";
            document.body.appendChild(link); link.click(); link.remove();
            setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
          });

          // ---- the outlier table ---------------------------------------------------
          var tbody = document.querySelector("#outlier-table tbody");
          var headers = Array.prototype.slice.call(document.querySelectorAll("#outlier-table th button"));
          function sortValue(i, key) {
            switch (key) {
              case "row": return P.row[i];
              case "c": return P.c[i];
              case "prob": return certainty[i];
              case "lp": return P.lp[i] === null ? -Infinity : P.lp[i];
              case "m2": return P.m2[i] === null ? Infinity : P.m2[i];
              case "tail": return P.tail[i];
              default:
                var text = P.kept[i][+key.slice(4)], number = Number(text);
                return text !== "" && isFinite(number) ? number : text;
            }
          }
          function sortedOutliers() {
            var key = state.sortKey, dir = state.sortDir;
            return D.outliers.slice().sort(function (a, b) {
              var x = sortValue(a, key), y = sortValue(b, key);
              if (x < y) return -dir;
              if (x > y) return dir;
              return P.row[a] - P.row[b];
            });
          }
          function renderTable() {
            var rows = sortedOutliers(), pages = Math.max(1, Math.ceil(rows.length / PAGE));
            state.page = Math.min(state.page, pages - 1);
            tbody.textContent = "";
            rows.slice(state.page * PAGE, (state.page + 1) * PAGE).forEach(function (i) {
              var tr = document.createElement("tr");
              tr.tabIndex = 0; tr.dataset.p = i;
              if (state.component >= 0 && P.c[i] === state.component) tr.className = "hl";
              var cells = [P.row[i], P.c[i], fmt(certainty[i], 4), fmt(P.lp[i], 6),
                P.m2[i] === null ? "∞" : fmt(P.m2[i], 5), fmt(P.tail[i], 4)].concat(P.kept[i] || []);
              cells.forEach(function (text) { var td = document.createElement("td"); td.textContent = text; tr.appendChild(td); });
              tbody.appendChild(tr);
            });
            document.getElementById("page-note").textContent = "page " + (state.page + 1) + " of " + pages + " (" + rows.length + " rows)";
            document.getElementById("page-prev").disabled = state.page === 0;
            document.getElementById("page-next").disabled = state.page >= pages - 1;
          }
          function ringPoint(event, on) {
            var tr = event.target.closest && event.target.closest("tr[data-p]");
            if (tr) circles[+tr.dataset.p].classList.toggle("focus-ring", on);
          }
          tbody.addEventListener("focusin", function (event) { ringPoint(event, true); });
          tbody.addEventListener("focusout", function (event) { ringPoint(event, false); });
          tbody.addEventListener("mouseover", function (event) { ringPoint(event, true); });
          tbody.addEventListener("mouseout", function (event) { ringPoint(event, false); });
          headers.forEach(function (button) {
            button.addEventListener("click", function () {
              var key = button.dataset.key;
              state.sortDir = state.sortKey === key ? -state.sortDir : 1;
              state.sortKey = key; state.page = 0;
              headers.forEach(function (other) {
                other.parentNode.setAttribute("aria-sort", other === button ? (state.sortDir > 0 ? "ascending" : "descending") : "none");
              });
              renderTable();
            });
          });
          document.getElementById("page-prev").addEventListener("click", function () { state.page--; renderTable(); });
          document.getElementById("page-next").addEventListener("click", function () { state.page++; renderTable(); });

          redraw();
          applySelection();
          // What the self-test (ReportSelfTest.swift) drives and inspects.
          window.gmmReport = { D: D, P: P, N: N, K: K, PAGE: PAGE, state: state, certainty: certainty, circles: circles,
            tip: tip, hideTip: hideTip, slider: slider, viewSelect: viewSelect, xSelect: xSelect, ySelect: ySelect, tbody: tbody, selectedCsv: selectedCsv,
            sortValue: sortValue };

        })();
        """#
}
