/**
 * A progress line: `1200/10000 samples (12.0%), 15 s elapsed, ETA 1 min 50 s`.
 * The ETA assumes the remaining items take as long each as the ones done.
 */
export function formatProgress(done: number, total: number, elapsedMs: number): string {
  const percent = ((100 * done) / total).toFixed(1);
  const remainingMs = done > 0 ? (elapsedMs * (total - done)) / done : Number.NaN;
  const eta = Number.isFinite(remainingMs) ? formatDuration(remainingMs) : "unknown";
  return `${done}/${total} samples (${percent}%), ${formatDuration(elapsedMs)} elapsed, ETA ${eta}`;
}

/** `42 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
