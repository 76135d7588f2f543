// Starts Swagger UI. A served file, not an inline script: the page's CSP allows only 'self'.
(function () {
  "use strict";

  var root = document.getElementById("swagger-ui");

  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // The default would have the page ask validator.swagger.io about our schema.
    validatorUrl: null,
  });
})();
