/// The zpages stylesheet, served at `/static/zpages.css`: a light dashboard look with the system font stack, a
/// two-column panel grid on wide screens, series colours as classes (`s0`...`s7`, `svc0`...`svc7`), no web fonts.
extension ZPagesAssets {
    static let style = #"""
        :root {
          --bg: #f4f6f9; --card: #fff; --ink: #1c2430; --muted: #66707d; --line: #dde2e9; --accent: #2563eb;
          --ok: #16a34a; --warn: #d97706; --bad: #dc2626; --bad-bg: #fef2f2;
          --c0: #2563eb; --c1: #ea580c; --c2: #059669; --c3: #9333ea; --c4: #db2777; --c5: #0891b2; --c6: #ca8a04;
          --c7: #4b5563;
        }
        * { box-sizing: border-box; }
        [hidden] { display: none !important; }
        html { -webkit-text-size-adjust: 100%; }
        body {
          margin: 0; background: var(--bg); color: var(--ink); font-size: 14px; line-height: 1.45;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
        }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        .mono, code {
          font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
          font-size: 12.5px;
        }
        .muted { color: var(--muted); }
        .small { font-size: 12px; }
        .error { color: var(--bad); }
        .bad { color: var(--bad); font-weight: 600; }
        .warn { color: var(--warn); }

        #nav {
          position: sticky; top: 0; z-index: 5; display: flex; flex-wrap: wrap; align-items: center; gap: 2px 4px;
          padding: 8px 20px; background: #111827; color: #e5e7eb;
        }
        #nav .brand { font-weight: 700; margin-right: 14px; color: #fff; }
        #nav a { color: #cbd5e1; padding: 5px 10px; border-radius: 6px; }
        #nav a:hover { background: #1f2937; color: #fff; text-decoration: none; }
        #nav a[aria-current="page"] { background: #374151; color: #fff; }
        #last-update { margin-left: auto; font-size: 12px; color: #9ca3af; }
        #error-banner {
          margin: 12px 20px 0; padding: 10px 14px; border: 1px solid #fca5a5; border-radius: 8px;
          background: var(--bad-bg);
          color: #991b1b; font-weight: 600;
        }

        main { padding: 8px 20px 40px; max-width: 1600px; margin: 0 auto; }
        h1 { font-size: 22px; margin: 14px 0 10px; font-weight: 650; display: flex; gap: 8px; align-items: baseline;
          min-width: 0; }
        h2 {
          font-size: 16px; margin: 0 0 10px; font-weight: 650; display: flex; gap: 8px;
          align-items: center; min-width: 0;
        }
        h3 { font-size: 14px; margin: 14px 0 6px; font-weight: 650; }
        h4 { font-size: 12px; margin: 0 0 6px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
        .card {
          background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px;
          margin: 0 0 16px;
          box-shadow: 0 1px 2px rgba(16, 24, 40, .04); min-width: 0;
        }
        .notice { border-color: #fcd34d; background: #fffbeb; }
        .cols {
          display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px;
          align-items: start;
        }
        .cols > .card { margin: 0 0 16px; }
        .badge {
          display: inline-block; padding: 1px 8px; border-radius: 999px; background: #eef2ff;
          color: #3730a3; font-size: 12px;
          font-weight: 600;
        }
        .clip {
          display: inline-block; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap;
          vertical-align: bottom;
        }
        td .clip { max-width: 36em; }
        h1 .clip { max-width: 70vw; }
        .scroll { overflow-x: auto; }

        dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; margin: 0; }
        dl.fields dt { color: var(--muted); }
        dl.fields dd { margin: 0; min-width: 0; font-variant-numeric: tabular-nums; }
        ul.pages { margin: 0; padding-left: 18px; }
        ul.pages li { margin: 4px 0; }

        table.grid { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
        table.grid th {
          text-align: left; font-size: 12px; color: var(--muted); font-weight: 600; padding: 6px 8px;
          border-bottom: 1px solid var(--line); white-space: nowrap;
        }
        table.grid td { padding: 5px 8px; border-bottom: 1px solid #eef1f5; vertical-align: top; }
        table.grid tbody tr:hover { background: #f8fafc; }
        table.grid td.num { text-align: right; white-space: nowrap; }
        table.grid td.idx { width: 1%; }
        table.grid tr.empty td { color: var(--muted); font-style: italic; }

        /* pipelines */
        .pipeline h2 .clip { max-width: 60%; }
        .flow { display: grid; grid-template-columns: 1fr auto 1fr auto 1fr; gap: 10px; align-items: start; }
        .arrow { align-self: center; font-size: 22px; color: #94a3b8; }
        .stage { display: flex; flex-direction: column; gap: 8px; min-width: 0; }
        .stage .none {
          color: var(--muted); font-style: italic; padding: 8px; border: 1px dashed var(--line);
          border-radius: 8px;
        }
        .component {
          border: 1px solid var(--line); border-left: 4px solid #94a3b8; border-radius: 8px; padding: 8px 10px;
          background: #fbfcfe; min-width: 0;
        }
        .component[data-kind="receiver"] { border-left-color: var(--c0); }
        .component[data-kind="processor"] { border-left-color: var(--c3); }
        .component[data-kind="exporter"] { border-left-color: var(--c2); }
        .component[data-kind="connector"] { border-left-color: var(--c1); background: #fff7ed; }
        .component.trouble { border: 2px solid var(--bad); border-left-width: 4px; background: var(--bad-bg); }
        .comp-head { display: flex; justify-content: space-between; gap: 8px; align-items: baseline; }
        .comp-id { font-weight: 650; min-width: 0; }
        .comp-head .kind { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
        .component ul { list-style: none; margin: 6px 0 0; padding: 0; font-size: 12.5px; }
        .component li { display: flex; flex-wrap: wrap; gap: 2px 6px; justify-content: space-between; }
        .component li .v { font-weight: 600; font-variant-numeric: tabular-nums; }
        ul.problems { color: #991b1b; font-weight: 600; }
        ul.problems li { display: block; }
        ul.problems li::before { content: "\26A0\FE0E  "; }
        .meter {
          display: block; flex-basis: 100%; height: 5px; border-radius: 3px; background: #e5e7eb; overflow: hidden;
          margin: 2px 0 4px;
        }
        .meter.wide { width: 120px; margin: 6px 0; }
        .fillbar { display: block; height: 100%; width: 0; background: var(--ok); }
        .meter.warn .fillbar, .meter.wide .fillbar { background: var(--warn); }
        .meter.wide .fillbar { background: var(--accent); }
        .meter.bad .fillbar { background: var(--bad); }

        /* engine panels */
        .panels { display: grid; grid-template-columns: 1fr; gap: 16px; }
        @media (min-width: 980px) { .panels { grid-template-columns: 1fr 1fr; } }
        .panel { margin: 0; }
        .panel h3 { margin: 0 0 6px; }
        .panel-body { min-width: 0; }
        .group > h2 { margin: 18px 0 10px; }
        svg.chart { display: block; width: 100%; height: auto; overflow: visible; }
        svg .grid { stroke: #e5e7eb; stroke-width: 1; }
        svg .axis { stroke: #9ca3af; stroke-width: 1; }
        svg text { fill: var(--ink); font-family: inherit; }
        svg .tick { font-size: 11px; fill: var(--muted); }
        svg .nodata { font-size: 13px; fill: var(--muted); }
        svg .big { font-size: 30px; font-weight: 700; font-variant-numeric: tabular-nums; }
        svg .big.stat { font-size: 38px; }
        svg .sub { font-size: 12px; fill: var(--muted); }
        svg .label, svg .value { font-size: 12px; }
        svg .value { font-weight: 600; }
        .s0 { --c: var(--c0); } .s1 { --c: var(--c1); } .s2 { --c: var(--c2); } .s3 { --c: var(--c3); }
        .s4 { --c: var(--c4); } .s5 { --c: var(--c5); } .s6 { --c: var(--c6); } .s7 { --c: var(--c7); }
        svg .line { fill: none; stroke: var(--c); stroke-width: 1.8; stroke-linejoin: round; stroke-linecap: round; }
        svg circle.pt { fill: var(--c); stroke: #fff; stroke-width: .8; }
        svg rect.pt { fill: var(--c); }
        svg rect.pt.warn { fill: var(--warn); }
        svg rect.pt.bad { fill: var(--bad); }
        svg .bar-track { fill: #eef1f5; }
        svg .gauge-track { fill: none; stroke: #e5e7eb; stroke-width: 16; stroke-linecap: round; }
        svg .gauge-value { fill: none; stroke: var(--ok); stroke-width: 16; stroke-linecap: round; }
        svg .gauge-value.warn, svg .marker.warn { stroke: var(--warn); }
        svg .gauge-value.bad, svg .marker.bad { stroke: var(--bad); }
        svg .gauge-threshold { fill: #fff; stroke: var(--muted); stroke-width: 1.5; }
        svg circle.marker { fill: #fff; stroke: var(--ok); stroke-width: 3; }
        ul.legend {
          list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 6px 0 0; padding: 0;
          font-size: 12.5px;
        }
        ul.legend li { display: flex; align-items: center; gap: 6px; min-width: 0; max-width: 100%; }
        ul.legend .v { font-weight: 600; font-variant-numeric: tabular-nums; }
        .sw { width: 12px; height: 4px; border-radius: 2px; background: var(--c); flex: none; }

        /* traces */
        form.search { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
        form.search label { color: var(--muted); font-size: 12px; font-weight: 600; }
        input, select, button { font: inherit; }
        #trace-query {
          flex: 1 1 420px; min-width: 0; padding: 6px 10px; border: 1px solid #cbd5e1; border-radius: 6px;
          font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
        }
        #trace-limit { width: 6em; padding: 6px 8px; border: 1px solid #cbd5e1; border-radius: 6px; }
        select { padding: 6px 8px; border: 1px solid #cbd5e1; border-radius: 6px; background: #fff; }
        button {
          padding: 6px 14px; border: 1px solid #1d4ed8; border-radius: 6px; background: var(--accent); color: #fff;
          cursor: pointer; font-weight: 600;
        }
        button:disabled { background: #cbd5e1; border-color: #cbd5e1; cursor: default; }
        #search-error { margin: 8px 0 0; font-weight: 600; }
        .trace-head {
          display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; margin: 0 0 12px;
          min-width: 0;
        }
        .trace-head .spacer { flex: 1; }
        .trace-head .clip { max-width: 40vw; }
        .svc-name { font-weight: 650; }
        #waterfall { font-size: 12.5px; }
        .wf-head, .span-row { display: grid; grid-template-columns: minmax(200px, 34%) 1fr; align-items: center; }
        .wf-head { border-bottom: 1px solid var(--line); padding-bottom: 4px; color: var(--muted); font-weight: 600; }
        .span-row { border-bottom: 1px solid #f1f3f6; cursor: pointer; min-height: 24px; }
        .span-row:hover { background: #f8fafc; }
        .span-row.selected { background: #eff6ff; }
        .span-row:focus { outline: 2px solid #93c5fd; outline-offset: -2px; }
        .span-label {
          display: flex; gap: 6px; align-items: center; overflow: hidden; white-space: nowrap;
          min-width: 0;
        }
        .svc-tag {
          flex: none; max-width: 40%; overflow: hidden; text-overflow: ellipsis; padding: 0 6px; border-radius: 4px;
          font-size: 11px; color: #fff; background: var(--c);
        }
        .span-name { overflow: hidden; text-overflow: ellipsis; min-width: 0; }
        .span-timeline {
          position: relative; height: 24px; margin: 0 8px;
          background: linear-gradient(90deg, #f1f3f6 1px, transparent 1px) 0 0 / 25% 100%;
        }
        .span-timeline.ticks { height: 18px; background: none; }
        .tickmark { position: absolute; top: 0; transform: translateX(-50%); font-size: 11px; white-space: nowrap; }
        .tickmark:first-child { transform: none; }
        .tickmark.last { transform: translateX(-100%); }
        .span-bar {
          position: absolute; top: 6px; height: 12px; min-width: 2px; border-radius: 3px;
          background: var(--c);
        }
        .span-bar.error { outline: 2px solid var(--bad); }
        .span-dur {
          position: absolute; top: 4px; padding: 0 4px; font-size: 11px; color: var(--muted);
          white-space: nowrap;
        }
        .span-dur.inside { color: #fff; font-weight: 600; }
        .span-row.error .span-name { color: var(--bad); font-weight: 600; }
        .svc0 { --c: var(--c0); } .svc1 { --c: var(--c1); } .svc2 { --c: var(--c2); } .svc3 { --c: var(--c3); }
        .svc4 { --c: var(--c4); } .svc5 { --c: var(--c5); } .svc6 { --c: var(--c6); } .svc7 { --c: var(--c7); }
        #span-detail table.grid { margin-bottom: 6px; }
        #span-detail td .clip { max-width: 60em; }

        /* cardinality */
        .pager { display: flex; gap: 12px; align-items: center; margin: 0 0 10px; }

        @media (max-width: 720px) {
          #nav, main { padding-left: 10px; padding-right: 10px; }
          .flow { grid-template-columns: 1fr; }
          .arrow { transform: rotate(90deg); justify-self: center; }
          .wf-head, .span-row { grid-template-columns: minmax(120px, 40%) 1fr; }
          .tickmark.minor { display: none; }
        }
        """#
}
