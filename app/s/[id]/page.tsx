import { SessionPage } from "@/components/editor/SessionPage";

/** `/s/<id>?token=…` (or `#token=…`): the collaborative editor. */
export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SessionPage sessionId={id} />;
}
