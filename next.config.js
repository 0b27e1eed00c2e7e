/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // The server owns onnxruntime-node; pages use onnxruntime-web only.
  serverExternalPackages: ["onnxruntime-node", "better-sqlite3"],
};

export default nextConfig;
