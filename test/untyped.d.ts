// Declarations for test-only modules that ship no types.
declare module "mvdan-sh" {
  const sh: { syntax: { NewParser(): { Parse(text: string, name: string): unknown } } };
  export default sh;
}
declare module "*/_schemas/IoK8sApiCoreV1ConfigMap.mjs" {
  export const validate: (data: unknown) => boolean;
}
declare module "*/_schemas/IoK8sApiFlowcontrolV1FlowSchema.mjs" {
  export const validate: (data: unknown) => boolean;
}
declare module "*/_schemas/IoK8sApiFlowcontrolV1PriorityLevelConfiguration.mjs" {
  export const validate: (data: unknown) => boolean;
}
