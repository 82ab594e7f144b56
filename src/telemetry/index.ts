export * from "./senml.ts";
