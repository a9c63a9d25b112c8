package org.protowrap.engine.admin;

/**
 * {@code GET /}: a page an operator keeps open. One self-contained document (no external
 * assets): it fetches {@code /status} every two seconds and draws a table per wrapper with its
 * counters, its backends coloured by state (up, down, drain, disabled) and the rules it hit most.
 * Narrow screens get the same tables, scrolled sideways. Every backend row and rule cell carries
 * {@code data-} attributes that scripts and tests can read.
 */
final class StatusPage {

    private StatusPage() {}

    static String html() {
        return PAGE;
    }

    private static final String PAGE = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>ProtoWrap status</title>
            <style>
              body { font: 14px/1.4 system-ui, sans-serif; margin: 0; padding: 1em; background: #f6f7f9; color: #1d232b; }
              h1 { font-size: 1.3em; margin: 0 0 .2em; }
              h2 { font-size: 1.1em; margin: 0; }
              .meta { color: #5b6570; margin-bottom: 1em; }
              .wrapper { background: #fff; border: 1px solid #d9dde3; border-radius: 6px; padding: .8em; margin-bottom: 1em; }
              .scroll { overflow-x: auto; }
              table { border-collapse: collapse; width: 100%; margin-top: .5em; }
              th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #eceef1; white-space: nowrap; }
              th { font-weight: 600; color: #5b6570; }
              td.n { text-align: right; font-variant-numeric: tabular-nums; }
              .state { display: inline-block; min-width: 5em; text-align: center; border-radius: 3px; padding: 0 .4em; color: #fff; }
              .up { background: #2e8540; } .down { background: #c62828; } .drain { background: #e08a00; }
              .disabled { background: #6b7280; } .stopped { background: #6b7280; } .listening { background: #2e8540; }
              .counters span { margin-right: 1.2em; white-space: nowrap; }
              #error { color: #c62828; }
            </style>
            </head>
            <body>
            <h1>ProtoWrap</h1>
            <div class="meta"><span id="summary">loading...</span> <span id="error"></span></div>
            <div id="wrappers"></div>
            <script>
            "use strict";
            const esc = s => String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
            const num = n => Number(n).toLocaleString("en");
            const bytes = n => n < 1024 ? n + " B" : n < 1048576 ? (n / 1024).toFixed(1) + " KiB"
                : n < 1073741824 ? (n / 1048576).toFixed(1) + " MiB" : (n / 1073741824).toFixed(2) + " GiB";
            function wrapper(w) {
              const refused = Object.values(w.refused).reduce((a, b) => a + b, 0);
              const rules = Object.entries(w.rules).map(([rule, actions]) =>
                  [rule, Object.values(actions).reduce((a, b) => a + b, 0)]).sort((a, b) => b[1] - a[1]).slice(0, 5);
              let html = '<section class="wrapper" data-wrapper="' + esc(w.name) + '">'
                + '<h2>' + esc(w.name) + ' <span class="state ' + w.state + '">' + w.state + '</span></h2>'
                + '<div class="counters">'
                + '<span>' + esc(w.protocol) + ' on ' + esc(w.listen) + '</span>'
                + '<span>active <b data-count="active">' + num(w.activeConnections) + '</b></span>'
                + '<span>accepted <b data-count="accepted">' + num(w.accepted) + '</b></span>'
                + '<span>refused <b data-count="refused">' + num(refused) + '</b></span>'
                + '<span>in ' + bytes(w.bytesFromClients) + '</span><span>out ' + bytes(w.bytesToClients) + '</span>'
                + '<span>units ' + num(w.clientUnits) + '</span></div>';
              if (w.backends.length) {
                html += '<div class="scroll"><table><tr><th>backend</th><th>state</th><th>weight</th><th>active</th>'
                  + '<th>connects</th><th>reuses</th><th>failures</th><th>checks</th><th>last change</th></tr>';
                for (const b of w.backends) {
                  const last = b.recentTransitions.length ? b.recentTransitions[b.recentTransitions.length - 1] : null;
                  html += '<tr data-backend="' + esc(b.name) + '" data-state="' + b.state + '">'
                    + '<td>' + esc(b.name) + (b.backup ? ' (backup)' : '') + '</td>'
                    + '<td><span class="state ' + b.state + '">' + b.state + '</span></td>'
                    + '<td class="n">' + b.weight + (b.weight !== b.configuredWeight ? ' (set)' : '') + '</td>'
                    + '<td class="n">' + num(b.activeConnections) + '</td>'
                    + '<td class="n">' + num(b.connects) + '</td><td class="n">' + num(b.reuses) + '</td>'
                    + '<td class="n">' + num(b.connectFailures) + '</td>'
                    + '<td class="n">' + num(b.checksPassed) + ' / ' + num(b.checksFailed) + '</td>'
                    + '<td>' + (last ? esc(last.at.replace("T", " ").replace(/\\..*/, "")) + ' ' + esc(last.to) + ': '
                        + esc(last.reason) : '') + '</td></tr>';
                }
                html += '</table></div>';
              }
              if (rules.length) {
                html += '<div class="scroll"><table><tr><th>rule</th><th>reports</th></tr>';
                for (const [rule, count] of rules) {
                  html += '<tr><td>' + esc(rule) + '</td><td class="n" data-rule="' + esc(rule) + '">' + num(count) + '</td></tr>';
                }
                html += '</table></div>';
              }
              return html + '</section>';
            }
            async function refresh() {
              try {
                const response = await fetch("status", {cache: "no-store"});
                const s = await response.json();
                document.getElementById("summary").textContent = "version " + s.version + ", serving since "
                    + s.started.replace("T", " ").replace(/\\..*/, "") + ", " + (s.ready ? "ready" : "not ready")
                    + ", " + s.openFds + " of " + s.maxFds + " file descriptors";
                document.getElementById("wrappers").innerHTML = s.wrappers.map(wrapper).join("");
                document.getElementById("error").textContent = "";
              } catch (e) {
                document.getElementById("error").textContent = "cannot reach the process: " + e;
              }
            }
            refresh();
            setInterval(refresh, 2000);
            </script>
            </body>
            </html>
            """;
}
