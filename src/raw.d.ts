declare module "*?raw" {
  const text: string;
  export default text;
}
declare module "*?lazy" {
  /** The file's text, read on the first call. */
  const text: () => string;
  export default text;
}
declare module "*.hbs?template" {
  const render: (view: object) => string;
  export default render;
}
declare module "*.schema.json?validator" {
  import type { ValidateFunction } from "ajv";
  const validate: ValidateFunction;
  export default validate;
}
