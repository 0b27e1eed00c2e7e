import { NextResponse } from "next/server";
import { summarise } from "@/app/_lib/manifest";
import { listModels } from "@/app/_lib/modelFiles";

export const dynamic = "force-dynamic";

/** GET /api/models → [{ name, description, layers }] for every shipped model. */
export async function GET(): Promise<NextResponse> {
  const manifests = await listModels();
  return NextResponse.json(manifests.map(summarise));
}
