// Starts GraphiQL. A served file, not an inline script: the page's CSP allows only 'self'.
(function () {
  "use strict";

  // The <style> GraphiQL's dialogs insert must carry the nonce the page's style-src allows;
  // the bundled get-nonce reads it from this global.
  window.__webpack_nonce__ = document.currentScript.nonce;

  var root = document.getElementById("graphiql");
  var endpoint = root.dataset.endpoint;
  var placeholderHeaders = root.dataset.headersPlaceholder;
  var placeholderAuthorization = JSON.parse(placeholderHeaders).Authorization;

  var DEFAULT_QUERY = [
    "# Paste a token in the Headers pane below, replacing the placeholder:",
    "#   .venv/bin/todo-api token <user>",
    "# then run an operation with the play button (or Ctrl-Enter).",
    "",
    "query Tasks {",
    "  tasks(first: 10) {",
    "    totalCount",
    "    edges { node { id title completed priority version } }",
    "  }",
    "}",
    "",
    "mutation CreateTask {",
    '  createTask(input: { title: "Try GraphiQL", priority: HIGH }) { id title version }',
    "}",
    "",
  ].join("\n");

  var send = GraphiQL.createFetcher({ url: endpoint });

  // The placeholder is an example, not a token: sent as is it would fail every request
  // (introspection included) with a 401, so it is left out until it is replaced.
  function fetcher(params, options) {
    var headers = Object.assign({}, options && options.headers);
    if (headers.Authorization === placeholderAuthorization) {
      delete headers.Authorization;
    }
    return send(params, Object.assign({}, options, { headers: headers }));
  }

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
      headers: placeholderHeaders,
      defaultHeaders: placeholderHeaders,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: "headers",
      // A token kept in localStorage outlives the tab; paste it again instead.
      shouldPersistHeaders: false,
    }),
  );
})();
