import { ModelFileError, readModelFile } from "@/app/_lib/modelFiles";

export const dynamic = "force-dynamic";

interface Params {
  params: Promise<{ model: string; file: string }>;
}

/**
 * GET /api/models/<model>/<file>: a file named by the model's manifest
 * (generator.onnx, weight .f32 files, manifest.json) for the browser preview.
 * Served with an ETag so the browser revalidates instead of re-downloading,
 * and picks up a replaced model at once.
 */
export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { model, file } = await params;
  try {
    const { bytes, etag } = await readModelFile(model, file);
    const headers = {
      ETag: etag,
      "Cache-Control": "no-cache",
      "Content-Type": file.endsWith(".json")
        ? "application/json"
        : "application/octet-stream",
    };
    if (request.headers.get("if-none-match") === etag) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(new Uint8Array(bytes), { headers });
  } catch (error) {
    if (error instanceof ModelFileError) {
      return Response.json(
        { error: { code: error.code, message: error.message } },
        { status: 404 },
      );
    }
    throw error;
  }
}
