/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // The server owns onnxruntime-node; pages use onnxruntime-web only.
  serverExternalPackages: ["onnxruntime-node", "better-sqlite3"],
  // `npm test` type-checks the whole tree with tsc; the build need not.
  typescript: { ignoreBuildErrors: true },
  // Tests and local use open the app at 127.0.0.1, not localhost.
  allowedDevOrigins: ["127.0.0.1"],
};

export default nextConfig;
