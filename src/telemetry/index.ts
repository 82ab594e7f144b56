export * from "./senml.ts";
export * from "./item-id.ts";
