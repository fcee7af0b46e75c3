// The report's style sheet: system fonts, a readable table, a visible focus
// ring on everything reachable with Tab (rows, points, buttons), and the
// classes the script toggles (hl: a member of the chosen component, dim: not
// one, hidden: filtered out by the certainty slider).

enum ReportStyle {
    static let css = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1240px; padding: 12px 20px; color: #1a1a1a; }
        h1 { font-size: 22px; margin: 4px 0; } h2 { font-size: 17px; margin: 18px 0 6px; border-bottom: 1px solid #ddd; }
        .sub, .hint { color: #555; margin: 4px 0; } code { font-size: 13px; }
        .cols { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
        dl { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; margin: 0; }
        dt { color: #555; } dd { margin: 0; font-variant-numeric: tabular-nums; }
        figure { margin: 0; } figcaption { color: #555; font-size: 12px; }
        table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
        th, td { padding: 3px 9px; border-bottom: 1px solid #e4e4e4; text-align: left; }
        thead th { background: #f3f3f3; }
        th button { font: inherit; font-weight: 600; border: 0; background: none; cursor: pointer; padding: 0; }
        tr.comp { cursor: pointer; } tr.comp:hover, #outlier-table tbody tr:hover { background: #f5f8fc; }
        tr.selected, tr.hl { background: #fff3c4; }
        .swatch { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 6px; vertical-align: -1px; }
        :focus-visible { outline: 3px solid #0b57d0; outline-offset: 1px; }
        circle.pt:focus { outline: none; stroke: #000; stroke-width: 2.5; }
        circle.pt { cursor: pointer; } circle.pt.hl { stroke: #111; stroke-width: 1.2; }
        circle.dim { opacity: 0.15; } .hidden { display: none; }
        circle.pt.focus-ring { stroke: #000; stroke-width: 2.5; }
        .controls { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 6px 0; }
        .scatter-wrap { position: relative; } .scatter-col { flex: 1 1 600px; max-width: 760px; }
        #scatter { width: 100%; height: auto; border: 1px solid #ddd; background: #fff; }
        #tip { position: absolute; z-index: 2; background: #fff; border: 1px solid #888; border-radius: 4px; padding: 6px 8px;
               font-size: 12px; box-shadow: 0 2px 6px rgba(0,0,0,.2); pointer-events: none; min-width: 190px; }
        .bar-row { display: flex; align-items: center; gap: 4px; } .bar-row span:first-child { width: 22px; }
        .bar { display: inline-block; width: 90px; height: 9px; background: #eee; } .bar i { display: block; height: 100%; }
        #js-errors:empty { display: none; } #js-errors { color: #b00020; border: 1px solid #b00020; padding: 6px; }
        .skip { position: absolute; left: -10000px; } .skip:focus { position: static; display: inline-block; margin: 4px 0; }
        .pager { margin: 6px 0; } #view-note { white-space: pre-line; } #pairs { max-width: 100%; height: auto; }
        """
}
