"""The npm files each page serves: served name -> path under node_modules/.

Standard library only and no imports from this project: setup.py reads this file by path, before
the package is importable, to copy exactly these files into a built package (vendor/).
"""

# The UMD builds GraphiQL's docs name; the page loads React and ReactDOM before GraphiQL.
GRAPHIQL = {
    "react.production.min.js": "react/umd/react.production.min.js",
    "react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.min.js": "graphiql/graphiql.min.js",
    "graphiql.min.css": "graphiql/graphiql.min.css",
}

# The bundle FastAPI's own docs page loads (Swagger UI with its dependencies) and its stylesheet.
SWAGGER_UI = {
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
}

VENDORED = {**GRAPHIQL, **SWAGGER_UI}
