/**
 * Tailwind for the web editor. The three brush roles have fixed colours so a
 * mask overlay, its tool button and its legend always agree.
 * @type {import('tailwindcss').Config}
 */
export default {
  content: ["./app/**/*.{ts,tsx}", "./components/**/*.{ts,tsx}"],
  theme: {
    extend: {
      colors: {
        copy: "#3b82f6",
        paste: "#f97316",
        context: "#22c55e",
      },
    },
  },
  plugins: [],
};
