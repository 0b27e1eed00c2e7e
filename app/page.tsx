import { summarise } from "@/app/_lib/manifest";
import { listModels } from "@/app/_lib/modelFiles";
import { Home } from "@/components/home/Home";

export const dynamic = "force-dynamic";

/** `/`: start a session on one of the shipped models, or reopen a recent one. */
export default async function HomePage() {
  const models = (await listModels()).map(summarise);
  return <Home models={models} />;
}
