// Starts GraphiQL on the page's #graphiql element, against this server's /graphql. The token
// goes in the Headers tab as {"Authorization": "Bearer <token>"}; GraphiQL is told not to keep
// headers, so a token is never written to the browser's storage.
(function () {
  "use strict";
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: "/graphql" }),
      defaultEditorToolsVisibility: "headers",
      defaultHeaders: '{\n  "Authorization": "Bearer <paste a token here>"\n}',
      shouldPersistHeaders: false,
    })
  );
})();
