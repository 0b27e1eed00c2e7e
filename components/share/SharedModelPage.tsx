"use client";

import dynamic from "next/dynamic";

// Browser only: it runs the generator in the page.
export const SharedModelPage = dynamic(() => import("./SharedModel").then((m) => m.SharedModel), { ssr: false });
