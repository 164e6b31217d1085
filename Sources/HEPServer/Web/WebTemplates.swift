import Mustache

/// The page templates (Mustache; `{{ }}` escapes for HTML, `{{{ }}}` is used only for the server-drawn SVG).
/// `head` and `foot` are partials shared by the pages.
enum WebTemplates {
    static let head = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · hepml</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/ui/style.css">
        <script src="/ui/app.js" defer></script>
        </head>
        <body data-page="{{page}}" data-model="{{model}}" data-version="{{version}}">
        <a class="skip" href="#main">Skip to the content</a>
        <header class="site">
        <a class="brand" href="/">hepml</a>
        <span class="tagline">model repository · server {{serverVersion}}</span>
        <div class="token-box">
        <label for="token">Write token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" placeholder="Bearer token for uploads, tags, deletes">
        </div>
        </header>
        <p id="flash" class="flash" role="status" aria-live="polite"></p>
        <noscript><p class="flash">Uploads, tags, deletes, “try it” and the live metrics need JavaScript; the rest of the page works without it.</p></noscript>

        """

    static let foot = """
        <footer class="site">
        <p>APIs: <a href="/models">/models</a> (TFaaS), <a href="/v2">/v2</a> (KServe v2), <a href="/metrics">/metrics</a> (Prometheus), <a href="/status">/status</a>.</p>
        </footer>
        </body>
        </html>

        """

    static let metricsTable = """
        <section aria-labelledby="metrics-heading">
        <h2 id="metrics-heading">Requests and latency</h2>
        <p class="hint">Counted since the server started ({{uptime}}); refreshed every 5 s. Latency percentiles are upper bounds of the histogram buckets.</p>
        <div class="table-wrap" role="region" aria-labelledby="metrics-heading" tabindex="0">
        <table id="metrics-table">
        <thead><tr><th scope="col">Model</th><th scope="col">Endpoint</th><th scope="col">Requests</th><th scope="col">Errors</th><th scope="col">Rate</th><th scope="col">Mean latency</th><th scope="col">p50 ≤</th><th scope="col">p99 ≤</th></tr></thead>
        <tbody>
        {{#metrics}}<tr><td>{{model}}</td><td>{{endpoint}}</td><td>{{requests}}</td><td>{{errors}}</td><td>{{rate}}</td><td>{{mean}}</td><td>{{p50}}</td><td>{{p99}}</td></tr>
        {{/metrics}}{{^metrics}}<tr><td colspan="8">No inference requests yet.</td></tr>{{/metrics}}
        </tbody>
        </table>
        </div>
        <h3 id="batching-heading">Model runs (scheduler and dynamic batching)</h3>
        <div class="table-wrap" role="region" aria-labelledby="batching-heading" tabindex="0">
        <table id="batching-table">
        <thead><tr><th scope="col">Model</th><th scope="col">Runs</th><th scope="col">Mean batch size</th><th scope="col">Mean queue time</th><th scope="col">Mean compute time</th></tr></thead>
        <tbody>
        {{#batching}}<tr><td>{{model}}</td><td>{{runs}}</td><td>{{batchSize}}</td><td>{{queue}}</td><td>{{compute}}</td></tr>
        {{/batching}}{{^batching}}<tr><td colspan="5">No model runs yet.</td></tr>{{/batching}}
        </tbody>
        </table>
        </div>
        </section>

        """

    static let index = """
        {{>head}}
        <main id="main">
        <h1>Models</h1>
        <section aria-labelledby="models-heading">
        <h2 id="models-heading" class="visually-hidden">Served models</h2>
        <div class="table-wrap" role="region" aria-labelledby="models-heading" tabindex="0">
        <table id="model-list">
        <caption>{{modelCount}} model folder(s) in the repository</caption>
        <thead><tr><th scope="col">Model</th><th scope="col">Versions</th><th scope="col">Tags</th><th scope="col">Platform</th><th scope="col">State</th></tr></thead>
        <tbody>
        {{#models}}<tr data-model="{{name}}">
        <th scope="row"><a href="{{href}}">{{name}}</a></th>
        <td>{{#versions}}<span class="version">{{version}}</span> {{/versions}}</td>
        <td>{{#tags}}<span class="tag">{{tag}} → {{version}}</span> {{/tags}}{{^tags}}–{{/tags}}</td>
        <td>{{platform}}</td>
        <td>{{#versions}}<span class="state state-{{stateClass}}" title="{{reason}}">{{state}}</span> {{/versions}}</td>
        </tr>
        {{/models}}{{^models}}<tr><td colspan="5">The repository is empty: upload a model below.</td></tr>{{/models}}
        </tbody>
        </table>
        </div>
        </section>

        <section aria-labelledby="upload-heading">
        <h2 id="upload-heading">Upload a model</h2>
        <form id="upload-form" class="card">
        <p class="hint">Either a model folder as a tarball (<code>NAME/params.json</code>, <code>NAME/1/model.onnx</code>, …; .tar or .tar.gz), or a single model file with its name and optional labels (TFaaS layout). Uploads go to <code>POST /upload</code> and need the write token.</p>
        <fieldset>
        <legend>Model folder as a tarball</legend>
        <label for="upload-tarball">Tarball</label>
        <input id="upload-tarball" name="tarball" type="file" accept=".tar,.tgz,.gz,application/gzip,application/x-tar">
        </fieldset>
        <fieldset>
        <legend>Or a single model file</legend>
        <label for="upload-name">Model name</label>
        <input id="upload-name" name="name" type="text" autocomplete="off" spellcheck="false" pattern="[A-Za-z0-9_\\-][A-Za-z0-9_.\\-]{0,127}" title="letters, digits, _, - and . (not first)">
        <label for="upload-model">Model file (.onnx, lwtnn or XGBoost .json, …)</label>
        <input id="upload-model" name="model" type="file">
        <label for="upload-labels">Labels file (one label per line, optional)</label>
        <input id="upload-labels" name="labels" type="file" accept=".txt,text/plain">
        <label for="upload-description">Description (optional)</label>
        <input id="upload-description" name="description" type="text">
        </fieldset>
        <button type="submit" id="upload-button">Upload</button>
        <p id="upload-status" class="result" role="status" aria-live="polite"></p>
        </form>
        </section>

        {{>metrics}}
        </main>
        {{>foot}}
        """

    static let model = """
        {{>head}}
        <nav aria-label="Breadcrumb" class="crumbs"><a href="/">Models</a> › <span aria-current="page">{{model}}</span></nav>
        <main id="main">
        <h1>{{model}} <span class="sub">version {{version}} · {{platform}}</span></h1>
        {{#description}}<p class="description">{{description}}</p>{{/description}}

        <section aria-labelledby="versions-heading">
        <h2 id="versions-heading">Versions and tags</h2>
        <div class="table-wrap" role="region" aria-labelledby="versions-heading" tabindex="0">
        <table id="version-table">
        <thead><tr><th scope="col">Version</th><th scope="col">State</th><th scope="col">Tags</th><th scope="col">Reason</th></tr></thead>
        <tbody>
        {{#versions}}<tr><th scope="row">{{#ready}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{version}}</a>{{/ready}}{{^ready}}{{version}}{{/ready}}</th><td><span class="state state-{{stateClass}}">{{state}}</span></td><td>{{tags}}</td><td>{{reason}}</td></tr>
        {{/versions}}
        </tbody>
        </table>
        </div>
        <form id="tag-form" class="card inline">
        <label for="tag-name">Tag</label>
        <input id="tag-name" name="tag" type="text" required autocomplete="off" spellcheck="false" placeholder="production">
        <label for="tag-version">Version</label>
        <select id="tag-version" name="version">{{#versions}}<option value="{{version}}"{{#current}} selected{{/current}}>{{version}}</option>{{/versions}}</select>
        <button type="submit">Set tag</button>
        </form>
        <p id="tag-status" class="result" role="status" aria-live="polite"></p>
        <button type="button" id="delete-button" class="danger">Delete model {{model}}</button>
        <p id="delete-status" class="result" role="status" aria-live="polite"></p>
        </section>

        <section aria-labelledby="tensors-heading">
        <h2 id="tensors-heading">Inputs and outputs</h2>
        <div class="table-wrap" role="region" aria-labelledby="tensors-heading" tabindex="0">
        <table id="tensor-table">
        <thead><tr><th scope="col">Role</th><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Shape</th><th scope="col">Variables or labels</th></tr></thead>
        <tbody>
        {{#tensors}}<tr><td>{{role}}</td><th scope="row">{{name}}</th><td>{{datatype}}</td><td>{{shape}}</td><td>{{names}}</td></tr>
        {{/tensors}}
        </tbody>
        </table>
        </div>
        <h3>Labels</h3>
        {{#hasLabels}}<ol class="labels">{{#labels}}<li>{{.}}</li>{{/labels}}</ol>{{/hasLabels}}{{^hasLabels}}<p>None.</p>{{/hasLabels}}
        </section>

        {{#hasDetails}}
        <section aria-labelledby="details-heading">
        <h2 id="details-heading">Model details</h2>
        {{#hasParams}}<h3>TFaaS params</h3>
        <dl class="facts" id="tfaas-params">{{#params}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/params}}</dl>{{/hasParams}}
        {{#hasFacts}}<h3>{{factsTitle}}</h3>
        <dl class="facts" id="model-facts">{{#facts}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/facts}}</dl>{{/hasFacts}}
        {{#hasMetadata}}<h3>metadata_props</h3>
        <dl class="facts" id="metadata-props">{{#metadata}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/metadata}}</dl>{{/hasMetadata}}
        </section>
        {{/hasDetails}}

        <section aria-labelledby="graph-heading">
        <h2 id="graph-heading">Graph</h2>
        {{#graphNote}}<p class="hint">{{graphNote}}</p>{{/graphNote}}
        <figure class="graph">
        <div class="graph-scroll" role="region" aria-labelledby="graph-heading" tabindex="0">{{{svg}}}</div>
        <figcaption>{{graphCaption}} <a href="{{graphHref}}">Open the SVG</a>.</figcaption>
        </figure>
        {{#hasOperators}}<details><summary>Operators by type</summary>
        <table id="operator-table"><thead><tr><th scope="col">Operator</th><th scope="col">Count</th></tr></thead><tbody>
        {{#operators}}<tr><td>{{op}}</td><td>{{count}}</td></tr>{{/operators}}
        </tbody></table></details>{{/hasOperators}}
        </section>

        <section aria-labelledby="try-heading">
        <h2 id="try-heading">Try it</h2>
        <form id="try-form" class="card" data-url="{{inferURL}}">
        <label for="try-request">KServe v2 request (JSON), sent to <code>POST {{inferURL}}</code></label>
        <textarea id="try-request" name="request" rows="8" spellcheck="false">{{sampleRequest}}</textarea>
        <button type="submit" id="try-button">Run</button>
        </form>
        <h3 id="try-answer-heading">Answer</h3>
        <pre id="try-answer" class="answer" role="status" aria-live="polite" aria-labelledby="try-answer-heading" tabindex="0"></pre>
        </section>

        {{>metrics}}
        </main>
        {{>foot}}
        """

    /// The parsed templates with `head`, `foot` and `metrics` registered as partials.
    static let library: MustacheLibrary = {
        var lib = MustacheLibrary()
        for (name, text) in [("head", head), ("foot", foot), ("metrics", metricsTable), ("index", index), ("model", model)] {
            // The templates are constants of this file; a syntax error in one is caught by the web tests.
            if let t = try? MustacheTemplate(string: text) { lib.register(t, named: name) }
        }
        return lib
    }()
}
