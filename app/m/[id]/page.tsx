import { SharedModelPage } from "@/components/share/SharedModelPage";

/** `/m/<share id>`: a shared edited model, read-only, with a fork button. */
export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SharedModelPage shareId={id} />;
}
