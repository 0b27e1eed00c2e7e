export * from "./tensor";
export * from "./cholesky";
export * from "./qr";
export * from "./symmetricEigen";
export * from "./topSingular";
export * from "./conv";
