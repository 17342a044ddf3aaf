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
  /** The lean validator: valid or not, defaults filled in; its errors say only where it stopped. */
  const validate: ValidateFunction;
  export default validate;
}
declare module "*.schema.json?explainer" {
  import type { ValidateFunction } from "ajv";
  /** The verbose validator (every error, with its schema and data), loaded on the first call. */
  const explainer: () => ValidateFunction;
  export default explainer;
}
