import { redirect } from "next/navigation";

/** `/share/<id>` (the server's share path) is the same page as `/m/<id>`. */
export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  redirect(`/m/${encodeURIComponent(id)}`);
}
