import { compile } from "json-schema-to-typescript";

/** The TypeScript type of a profile, exactly as committed in src/generated/profile.ts. */
export function compileProfileType(schema) {
  return compile(structuredClone(schema), "Profile", {
    bannerComment:
      "/* Generated from schema/profile.schema.json by `npm run gen:types` (json-schema-to-typescript). Do not edit. */",
    additionalProperties: false,
    unknownAny: true,
    ignoreMinAndMaxItems: true,
    format: true,
    style: { singleQuote: false, printWidth: 120 },
  });
}
