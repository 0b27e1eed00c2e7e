export * from "./errors";
export * from "./events";
export * from "./doc";
export * from "./awareness";
export * from "./api";
