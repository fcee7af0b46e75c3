// The page's own test, run when its URL ends in `#selftest`: it hovers and
// focuses points, clicks a component row and presses Enter on it, moves the
// certainty slider, builds the CSV of the selection, sorts the outlier table
// and changes the view, checking each effect in the DOM, then writes
// <div id="selftest" data-result="pass"> (or "fail: reasons"), which the
// browser tests read from Chromium's dump of the DOM.

enum ReportSelfTest {
    static let source = #"""
        "use strict";
        (function () {
          if (location.hash !== "#selftest") return;
          var R = window.gmmReport;
          if (!R) { finish("fail: the main script did not finish"); return; }   // window.onerror has recorded why
          var D = R.D, P = R.P, N = R.N, K = R.K, PAGE = R.PAGE, state = R.state, certainty = R.certainty;
          var circles = R.circles, tip = R.tip, hideTip = R.hideTip, slider = R.slider, viewSelect = R.viewSelect;
          var tbody = R.tbody, selectedCsv = R.selectedCsv, sortValue = R.sortValue;
          function selftest() {
            var problems = [];
            function check(ok, what) { if (!ok) problems.push(what); }
            function count(selector) { return document.querySelectorAll(selector).length; }
            check(count("#component-table tr.comp") === K, "expected " + K + " component rows");
            check(count("#scatter circle.pt") === N, "expected " + N + " points");
            // Hover, then keyboard focus, on a point: the details appear with one bar per component.
            circles[0].dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
            check(!tip.hidden && tip.querySelectorAll(".bar").length === K, "hover shows no details with " + K + " bars");
            hideTip();
            circles[N - 1].focus();
            circles[N - 1].dispatchEvent(new FocusEvent("focusin", { bubbles: true }));
            check(!tip.hidden && tip.textContent.indexOf("row " + P.row[N - 1]) === 0, "focus shows no details");
            check(tip.textContent.indexOf("log P(x)") >= 0 && tip.textContent.indexOf("Mahalanobis") >= 0, "details incomplete");
            circles[N - 1].blur(); hideTip();
            // A click on a component highlights exactly its drawn members; Enter on the row clears it.
            var k = P.c[0], row = document.querySelector('tr.comp[data-k="' + k + '"]');
            var members = P.c.filter(function (c) { return c === k; }).length;
            row.click();
            check(count("#scatter circle.pt.hl") === members, "highlighted " + count("#scatter circle.pt.hl") + " points, component " + k + " has " + members);
            check(+row.dataset.drawn === members, "the table's drawn count " + row.dataset.drawn + " is not " + members);
            check(row.getAttribute("aria-pressed") === "true", "row not pressed");
            check(count("#scatter circle.pt.dim") === N - members, "the other points are not dimmed");
            row.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
            check(count("#scatter circle.pt.hl") === 0, "Enter did not clear the highlight");
            // The slider hides every row at least as certain as its value.
            slider.value = "0.99";
            slider.dispatchEvent(new Event("input", { bubbles: true }));
            var threshold = +slider.value;
            // With one component every row is certain and the slider has nowhere to go: nothing is hidden.
            var certain = threshold >= 1 ? 0 : certainty.filter(function (c) { return c >= threshold; }).length;
            check(count("#scatter circle.pt.hidden") === certain, "slider hid " + count("#scatter circle.pt.hidden") + ", expected " + certain);
            var hiddenOne = document.querySelector("#scatter circle.pt.hidden");
            check(!hiddenOne || getComputedStyle(hiddenOne).display === "none", "a hidden point is still displayed");
            // The CSV holds the selected rows: shown by the slider and in the chosen component.
            row.click();
            var expected = 0;
            for (var i = 0; i < N; i++) if ((threshold >= 1 || certainty[i] < threshold) && P.c[i] === k) expected++;
            var csv = selectedCsv(), lines = csv.trim().split("\n").length - 1;
            check(lines === expected, "CSV has " + lines + " rows, expected " + expected);
            check(URL.createObjectURL(new Blob([csv])).indexOf("blob:") === 0, "no blob URL");
            row.click();
            slider.value = "1";
            slider.dispatchEvent(new Event("input", { bubbles: true }));
            check(count("#scatter circle.pt.hidden") === 0, "slider at 1 still hides points");
            // Sorting the outlier table: log P(x) ascending, then descending.
            if (D.outliers.length > 1) {
              var lpButton = document.querySelector('#outlier-table button[data-key="lp"]');
              state.sortKey = "";
              lpButton.click();
              var first = +tbody.rows[0].dataset.p;
              check(D.outliers.every(function (i) { return sortValue(i, "lp") >= sortValue(first, "lp"); }), "ascending sort wrong");
              lpButton.click();
              first = +tbody.rows[0].dataset.p;
              check(D.outliers.every(function (i) { return sortValue(i, "lp") <= sortValue(first, "lp"); }), "descending sort wrong");
              check(lpButton.parentNode.getAttribute("aria-sort") === "descending", "aria-sort not set");
              check(tbody.rows.length === Math.min(PAGE, D.outliers.length), "table page has " + tbody.rows.length + " rows");
            }
            // Two features, then another feature on y, move the points; the principal view comes back as it was.
            if (D.pairs) {
              var where = function () { return circles.map(function (c) { return c.getAttribute("cx") + "," + c.getAttribute("cy"); }).join(" "); };
              var principal = where();
              R.viewSelect.value = "pair";
              R.viewSelect.dispatchEvent(new Event("change"));
              var pair = where();
              check(pair !== principal, "choosing two features did not move the points");
              R.ySelect.value = "2";
              R.ySelect.dispatchEvent(new Event("change"));
              check(where() !== pair, "another y feature did not move the points");
              check(Array.prototype.some.call(document.querySelectorAll("#scatter .axis-label"), function (t) { return t.textContent === D.features[2]; }),
                    "the y axis is not labelled " + D.features[2]);
              R.viewSelect.value = "0";
              R.viewSelect.dispatchEvent(new Event("change"));
              check(where() === principal, "the principal view did not come back");
              R.ySelect.value = "1";
            }
            var errors = document.querySelectorAll("#js-errors .js-error").length;
            check(errors === 0, errors + " script errors");
            return problems;
          }
          var outcome;
          try {
            var problems = selftest();
            outcome = problems.length ? "fail: " + problems.join("; ") : "pass";
          } catch (error) {
            outcome = "fail: " + error;
          }
          finish(outcome);

          function finish(outcome) {
            var result = document.createElement("div");
            result.id = "selftest";
            result.setAttribute("data-result", outcome);
            result.textContent = "self-test: " + outcome;
            document.body.appendChild(result);
          }
        })();
        """#
}
