// Generates src/gql/ from the API's schema and the operations written with `graphql()` in src/.
// Regenerate with `make typed-client`; tests/test_typed_client.py fails when src/gql/ is stale.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["src/**/*.ts", "!src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        // Plain strings on the wire and in the generated file; fetch needs no GraphQL runtime.
        documentMode: "string",
        scalars: { DateTime: "string" },
        strictScalars: true,
        useTypeImports: true,
        importExtension: ".js",
        enumType: "string-literal",
      },
    },
  },
};

export default config;
